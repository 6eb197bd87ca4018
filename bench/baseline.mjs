// The baseline: a bare node:http server answering the same bytes as the API's page 1, with a
// JSON.stringify per request, as the API does. Usage: node bench/baseline.mjs PORT BODY_FILE
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, bodyFile] = process.argv.slice(2);
const parsed = JSON.parse(readFileSync(bodyFile, 'utf8'));
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = JSON.stringify(parsed);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
