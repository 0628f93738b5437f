// A box a wide table scrolls in (never the page: a tablet's 768 px). Reachable by keyboard, so
// someone without a mouse can scroll it too (WCAG 2.1.1; axe: scrollable-region-focusable).
import type { ReactNode } from 'react';

export function ScrollBox({
  label,
  className = 'scroll',
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className} role="group" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
