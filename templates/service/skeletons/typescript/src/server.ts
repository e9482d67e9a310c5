import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? '8080');
const server = createApp('${{ values.name }}');

server.listen(port, () => {
  console.log(`${{ values.name }} listening on port ${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
