/**
 * `@shopfront/contracts/web`: what a browser may import. The public API's
 * requests, answers and views, with nothing that needs Node (no node:crypto,
 * no Buffer, no Kafka codec). The web app imports only this entry; its lint
 * config refuses the package root.
 */
export * from './money.js';
export * from './countries.js';
export * from './text.js';
export * from './cards.js';
export * from './http.js';
export * from './views.js';
