/** The baseline: a bare Koa app answering 200 with an empty body, in its own process like the service. */
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.status = 200;
  ctx.body = '';
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
