// Starts kinesalite (the Kinesis API, in memory) bound to 127.0.0.1 only: its own CLI listens on every
// interface. Usage: node kinesalite-local.js --port PORT [--createStreamMs N ...] (kinesalite options).
const argv = require('minimist')(process.argv.slice(2));
const kinesalite = require('kinesalite');

if (!argv.port) {
  console.error('kinesalite-local: --port is required');
  process.exit(2);
}
const server = kinesalite(argv).listen(argv.port, '127.0.0.1', () => {
  const address = server.address();
  console.log('kinesalite listening at http://%s:%s', address.address, address.port);
});
server.on('error', (err) => {
  console.error('kinesalite-local: ' + err.message);
  process.exit(1);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
