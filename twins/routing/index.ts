export {
  backendMatchSchema,
  backendSchema,
  ocppBackendSchema,
  ocpiBackendSchema,
  webhookBackendSchema,
  type Backend,
  type BackendMatch,
  type OcpiBackend,
  type OcppBackend,
  type WebhookBackend,
} from './backend';
export { conflictingPrimaries, matches, overlap, routesOf, type RoutedDevice } from './match';
export { BACKEND_INVALID, BACKEND_PRIMARY_CONFLICT, parseBackend } from './parse-backend';
