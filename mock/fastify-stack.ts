import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * The mock behind fastify instead of bare node:http (`--stack fastify`), only so
 * `npm run bench:mock` can measure the difference. Fastify routes every request to the
 * same handler, which then streams through the raw response (`reply.hijack()`); bodies
 * are left unread for the handler, which enforces its own 1 MiB limit.
 */
export async function fastifyServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  serverOptions: Parameters<typeof createServer>[0],
): Promise<Server> {
  const { default: Fastify } = await import('fastify');
  let server: Server | null = null;
  const app = Fastify({
    serverFactory: (handler) => {
      server = createServer(serverOptions, handler);
      return server;
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
  app.all('*', (request, reply) => {
    reply.hijack();
    handle(request.raw, reply.raw);
  });
  await app.ready();
  if (!server) throw new Error('fastify did not create its server');
  return server;
}
