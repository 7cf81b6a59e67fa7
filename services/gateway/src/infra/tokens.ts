/** Injection tokens of the gateway's own providers. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const API_KEYS = Symbol('API_KEYS');
