import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GATEWAY_CONFIG, webDefaultApiKey, type GatewayConfig } from '../../config.js';

/**
 * Same origin, nothing from elsewhere: scripts, styles, images and API calls
 * all come from here (no CDN, no web fonts), so the pages work offline.
 * uPlot sets element styles from script, hence style-src 'unsafe-inline'
 * (styles only; scripts stay strict).
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const types: Record<string, string> = {
  js: 'application/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  map: 'application/json; charset=utf-8',
};
/** Vite's hashed file names: `name-HASH.ext`, nothing that could climb out of the folder. */
const assetName = /^[A-Za-z0-9_.-]+\.(js|css|svg|png|map)$/;

/** `/` and `/orders/{id}`: the storefront; `/console/...`: the operations console; `/assets/*`: their files. */
@Controller()
export class WebController {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Get()
  storefront(@Res() reply: FastifyReply) {
    return this.page(reply, 'index.html');
  }

  @Get('orders/:orderId')
  orderPage(@Res() reply: FastifyReply) {
    return this.page(reply, 'index.html');
  }

  @Get('console')
  console(@Res() reply: FastifyReply) {
    return this.page(reply, 'console/index.html');
  }

  /** `/console/` itself too (an empty wildcard), and each console page. */
  @Get('console/*')
  consolePage(@Res() reply: FastifyReply) {
    return this.page(reply, 'console/index.html');
  }

  /** What differs between a development and a production deployment, read by the pages at start. */
  @Get('web-config.json')
  webConfig(@Res() reply: FastifyReply) {
    return secured(reply).header('cache-control', 'no-store').send({ defaultApiKey: webDefaultApiKey(this.config) });
  }

  @Get('assets/:name')
  async asset(@Param('name') name: string, @Res() reply: FastifyReply) {
    const match = assetName.exec(name);
    if (!match) throw new NotFoundException(`no asset ${name}`);
    const body = await readFile(join(this.config.WEB_ROOT, 'assets', name)).catch(() => undefined);
    if (!body) throw new NotFoundException(`no asset ${name}`);
    // Hashed names change with their content: cache them for a year.
    return secured(reply).type(types[match[1]!]!).header('cache-control', 'public, max-age=31536000, immutable').send(body);
  }

  private async page(reply: FastifyReply, file: string) {
    const html = await readFile(join(this.config.WEB_ROOT, file)).catch(() => undefined);
    if (!html) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built: `npm start` builds it (or run `npm run build -w @shopfront/web`).');
    }
    // Pages revalidate every time, so a new build is picked up at once; their assets are immutable.
    return secured(reply).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  }
}

function secured(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', contentSecurityPolicy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}
