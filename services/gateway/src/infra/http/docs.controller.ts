import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { openApiDocument } from './openapi.js';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
// A Map, not an object: `constructor` or `__proto__` from the path must not find an entry.
const assets: ReadonlyMap<string, string> = new Map(Object.entries({
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}));

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Shopfront API</title><link rel="stylesheet" href="/docs/swagger-ui.css"><link rel="icon" href="/docs/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });</script>
</body>
</html>`;

/** The API's description (public, no key): `/openapi.json`, and Swagger UI at `/docs` served from the npm package. */
@Controller()
export class DocsController {
  private readonly document = openApiDocument();

  @Get('openapi.json')
  openApi() {
    return this.document;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  docs() {
    return page;
  }

  @Get('docs/:asset')
  async asset(@Param('asset') asset: string, @Res() reply: FastifyReply) {
    const type = assets.get(asset); // a fixed list: no path from the request reaches the file system
    if (!type) throw new NotFoundException(`no asset ${asset}`);
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(await readFile(join(swaggerUiDir, asset)));
  }
}
