export type { BackendPreference, InitBackendOptions } from './backend.js';
export { BACKEND_PREFERENCES, initBackend } from './backend.js';
