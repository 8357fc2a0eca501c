// `npm run test:integration`: the suites that start Java (DynamoDB Local), ffmpeg or Chromium, one file after
// another (they start servers and time real work). The list is kept once, in .mocharc.unit.cjs, as the unit run's
// ignore list; `npm test` runs both configs, so every test file runs exactly once.
const base = require("./.mocharc.json");
const { ignore } = require("./.mocharc.unit.cjs");

const spec = ignore.map((glob) => (glob.endsWith("/**") ? `${glob}/*.test.ts` : glob));

module.exports = { ...base, spec };
