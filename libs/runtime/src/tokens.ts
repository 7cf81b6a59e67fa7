/** Injection tokens for the connections every service holds. */
export const PG_POOL = Symbol('PG_POOL');
export const REDIS = Symbol('REDIS');
export const KAFKA = Symbol('KAFKA');
export const LOGGER = Symbol('LOGGER');
export const RUNTIME_OPTIONS = Symbol('RUNTIME_OPTIONS');
