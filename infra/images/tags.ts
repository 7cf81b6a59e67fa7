/** The images `npm run images` builds, by the names the e2e platform and docker-compose.yml use. */
export const baseTags = { plainDebian: 'local/debian-plain:bookworm', debian: 'local/debian:bookworm', node: 'local/node:24' } as const;
export const infraTags = { postgres: 'local/postgres:15', redis: 'local/redis:7', kafka: 'local/kafka:4' } as const;
export const serviceTag = (service: string): string => `shopfront/${service}:dev`;
/** Label carrying the hash of an image's inputs: equal hash, nothing to rebuild. */
export const inputHashLabel = 'shopfront.input-hash';
