// A TEST-ONLY OpenID Connect provider (the npm package oidc-provider) for tests/test_sso.py: it runs on
// loopback, knows one client and a few accounts given in a JSON file, and asks for a username and password.
// Never use it, its keys or its accounts outside the tests.
//
//   node server.js CONFIG.json
//
// CONFIG.json: {"port": 18xxx, "host": "localhost", "client_id": "...", "client_secret": "...", "redirect_uris": ["..."],
//               "accounts": {"username": {"password": "...", "claims": {...}}}}
// It prints "listening on <issuer>" when it answers.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// It listens on 127.0.0.1; its address names `host` (the tests give the live server's, so that both are one site).
const issuer = `http://${config.host || '127.0.0.1'}:${config.port}`;
const accounts = config.accounts;

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: config.redirect_uris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  // Like Microsoft Entra ID: the roles (app roles) are in the ID token.
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'roles', 'department'],
  },
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return { accountId: id, async claims() { return { sub: id, preferred_username: id, ...accounts[id].claims }; } };
  },
  // The users of the one client need not consent: the grant is made at login.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ['test-only-cookie-key'] },
});
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, error) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider (OIDC)</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="username">Username</label> <input id="username" name="username" autocomplete="username">
<label for="password">Password</label> <input id="password" name="password" type="password">
<button type="submit">Sign in</button></form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(loginPage(details.uid));
    }
    const form = await readForm(req);
    const username = form.get('username') || '';
    const account = Object.hasOwn(accounts, username) ? accounts[username] : undefined;
    if (!account || account.password !== form.get('password')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(loginPage(details.uid, 'Wrong username or password.'));
    }
    return await provider.interactionFinished(req, res, { login: { accountId: username } },
      { mergeWithLastSubmission: false });
  } catch (error) {
    console.error(error);
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    return res.end(String(error));
  }
});
server.listen(config.port, '127.0.0.1', () => console.log(`listening on ${issuer}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
