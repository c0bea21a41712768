import Router from '@koa/router';
import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.js';
import { MAX_CAPACITY, MIN_CAPACITY } from '../../domain/presence.js';
import { EMAIL_PATTERN, PASSWORD_MAX, PASSWORD_MIN, ROLES } from '../../domain/user.js';
import { createUser } from '../../usecases/create-user.js';
import { updateUser } from '../../usecases/update-user.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';
import { idParam } from '../request-params.js';
import { userView } from '../user-view.js';

const fields = {
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  disabled: z.boolean(),
  password: z.string().min(PASSWORD_MIN).max(PASSWORD_MAX),
  // issue 14 item 4: open chats auto-assignment gives the user at most.
  capacity: z.number().int().min(MIN_CAPACITY).max(MAX_CAPACITY),
};
const createSchema = z.object({ email: z.string().trim().max(254).regex(EMAIL_PATTERN, 'must be an email address'), name: fields.name.optional(), role: fields.role, password: fields.password }).strict();
const patchSchema = z.object(fields).partial().strict().refine((p) => Object.keys(p).length > 0, 'nothing to change');

/** /api/users (admin only, guarded in app.ts). */
export function userRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/users' });
  router.param('id', idParam('text', 'USER.NOT_FOUND', 'user'));
  const core = deps.core;

  router.get('/', async (ctx) => {
    ctx.body = { items: (await core.users.list()).map(userView) };
  });
  router.get('/:id', async (ctx) => {
    const user = await core.users.get(ctx.params.id);
    if (!user) throw new NotFoundError('USER.NOT_FOUND', `user ${ctx.params.id} does not exist`);
    ctx.body = userView(user);
  });
  router.post('/', async (ctx) => {
    const input = parseBody(createSchema, await readJson(ctx));
    ctx.status = 201;
    ctx.body = userView(await createUser(core, actorOf(ctx), input));
  });
  router.patch('/:id', async (ctx) => {
    const changes = parseBody(patchSchema, await readJson(ctx));
    ctx.body = userView(await updateUser(core, actorOf(ctx), ctx.params.id, changes));
  });
  return router;
}

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const userRouteDocs = routeDocs('Users', [
  { method: 'get', path: '/api/users', summary: 'All console users' },
  { method: 'get', path: '/api/users/:id', summary: 'One console user' },
  { method: 'post', path: '/api/users', summary: 'Create a console user', body: { schema: createSchema, example: { email: 'li.lei@example.com', name: '李雷', role: 'agent', password: 'a long passphrase' } }, answer: { status: 201 } },
  { method: 'patch', path: '/api/users/:id', summary: "Change a user's name, role, password, capacity or disabled flag", body: { schema: patchSchema, example: { capacity: 5, disabled: false } } },
]);
