/**
 * Whether a device of `newModel` may take the place of one of `oldModel` in an asset: the same
 * model, or one whose profile lists the old model under `replaces`. Returns the reason when not.
 *
 * @example replacementRefusal('wb-1', 'wb-2', ['wb-1']) // null
 */
export function replacementRefusal(
  oldModel: string | null,
  newModel: string | null,
  newProfileReplaces: readonly string[] | null,
): string | null {
  if (oldModel === null || oldModel === newModel) return null;
  if (newModel === null)
    return `the device to replace is a ${oldModel}: name the new device's model`;
  if (newProfileReplaces?.includes(oldModel)) return null;
  return newProfileReplaces === null
    ? `a ${newModel} cannot replace a ${oldModel}: there is no profile of ${newModel} that lists ${oldModel} under "replaces"`
    : `a ${newModel} cannot replace a ${oldModel}: the profile of ${newModel} lists ${newProfileReplaces.length ? newProfileReplaces.join(', ') : 'no model'} under "replaces"`;
}
