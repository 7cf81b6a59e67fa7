/** Injection tokens of the gateway's own providers (GATEWAY_CONFIG is beside the config). */
export const API_KEYS = Symbol('API_KEYS');
