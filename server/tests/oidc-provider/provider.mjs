// A real OpenID Connect provider for the tests (the `oidc-provider` package), on plain HTTP on
// 127.0.0.1, with one client (`sesame`) and accounts made up from whatever login is typed.
//
//   node server/tests/oidc-provider/provider.mjs --port <p> \
//     --redirect-uri <uri> [--redirect-uri …] --post-logout-redirect-uri <uri> […]
//
// `--port 0` picks a free port. Prints `prêt http://127.0.0.1:<p>` (the issuer) on stdout once
// listening.
//
// Accounts: the login `x` signs in as subject `x`, with `email` = `x` when it contains an `@`
// (else `x@example.test`), `email_verified` true and `name`; a login starting with `non-verifie`
// gets `email_verified` false. A login may assert a company as the customs account does, after
// `|`: `alice@exemple.fr|siret=73282932000074|eori=FR73282932000074|entreprise=Import Sud` gives
// the claims named by `--siret-claim`, `--eori-claim` and `--company-claim` (by default `siret`,
// `eori`, `raison_sociale`), with the profile scope; as a State agents' provider does,
// `|role=superviseur|administration=dgal` gives those named by `--role-claim` and
// `--administration-claim` (by default `sesame_role`, `sesame_administration`).
//
// Interactions are our own minimal pages (the package's development ones are in English, load
// remote fonts and have no labels): a login form (field `login`, labelled « Identifiant », button
// « Se connecter »), then consent is given automatically. RP-initiated logout confirms itself.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { Provider, errors } from 'oidc-provider';

const CLIENT_ID = 'sesame';
const CLIENT_SECRET = 'secret-de-test-oidc';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
    'siret-claim': { type: 'string', default: 'siret' },
    'eori-claim': { type: 'string', default: 'eori' },
    'company-claim': { type: 'string', default: 'raison_sociale' },
    'role-claim': { type: 'string', default: 'sesame_role' },
    'administration-claim': { type: 'string', default: 'sesame_administration' },
  },
});

const ASSERTED_CLAIMS = {
  siret: args['siret-claim'],
  eori: args['eori-claim'],
  entreprise: args['company-claim'],
  role: args['role-claim'],
  administration: args['administration-claim'],
};

if (args['redirect-uri'].length === 0) {
  console.error('provider.mjs : au moins une --redirect-uri est nécessaire');
  process.exit(2);
}

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title, body) => `<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escape(title)} — fournisseur d'identité de test</title>
  <style>
    body { font-family: sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; }
    label, input, button { display: block; margin: 0.5rem 0; font-size: 1rem; }
    input { width: 100%; padding: 0.4rem; box-sizing: border-box; }
    .erreur { color: #b00; }
  </style>
</head>
<body>
  <main>
    <h1>${escape(title)}</h1>
    ${body}
  </main>
</body>
</html>`;

function account(login) {
  const [who, ...pairs] = login.split('|');
  const email = who.includes('@') ? who : `${who}@example.test`;
  const asserted = {};
  for (const pair of pairs) {
    const [key, ...value] = pair.split('=');
    if (ASSERTED_CLAIMS[key]) asserted[ASSERTED_CLAIMS[key]] = value.join('=');
  }
  return {
    accountId: login,
    async claims() {
      return {
        sub: login,
        email,
        email_verified: !who.startsWith('non-verifie'),
        name: `Personne ${who}`,
        ...asserted,
      };
    },
  };
}

// The signing key, fresh at each start: RS256 for ID tokens and signed UserInfo responses.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  use: 'sig',
  alg: 'RS256',
};

const configuration = {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      client_name: 'France Sésame (tests)',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: args['redirect-uri'],
      post_logout_redirect_uris: args['post-logout-redirect-uri'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: {
    keys: [randomBytes(32).toString('hex')],
    // Cookies are not separated by port: names of our own, so as not to meet those of the
    // application under test on the same 127.0.0.1.
    names: {
      session: 'fournisseur_session',
      interaction: 'fournisseur_interaction',
      resume: 'fournisseur_interaction_reprise',
    },
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', ...Object.values(ASSERTED_CLAIMS)],
  },
  findAccount: (ctx, sub) => account(sub),
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // With an ID token hint the confirmation submits itself, as many providers do.
      async logoutSource(ctx, form) {
        const confirmed = form.replace(
          '</form>',
          '<input type="hidden" name="logout" value="yes"/></form>',
        );
        ctx.body = page(
          'Déconnexion',
          `${confirmed}
    <button type="submit" form="op.logoutForm" autofocus>Se déconnecter</button>
    <script>document.getElementById('op.logoutForm').submit();</script>`,
        );
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Déconnexion', '<p>Vous êtes déconnecté du fournisseur d\'identité de test.</p>');
      },
    },
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  ttl: {
    AccessToken: 10 * 60,
    AuthorizationCode: 60,
    IdToken: 10 * 60,
    Interaction: 10 * 60,
    Session: 60 * 60,
    Grant: 60 * 60,
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page(
      'Erreur',
      Object.entries(out)
        .map(([key, value]) => `<p class="erreur"><strong>${escape(key)}</strong> : ${escape(value)}</p>`)
        .join('\n'),
    );
  },
};

function loginForm(uid, message) {
  return page(
    'Connexion',
    `<p>Application : France Sésame (tests)</p>
    ${message ? `<p class="erreur" role="alert">${escape(message)}</p>` : ''}
    <form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
      <label for="login">Identifiant</label>
      <input id="login" name="login" type="text" required autofocus>
      <button type="submit">Se connecter</button>
    </form>
    <p>N'importe quel identifiant convient : une adresse électronique est reprise telle quelle,
      sinon <code>identifiant@example.test</code> ; un identifiant commençant par
      <code>non-verifie</code> donne une adresse non vérifiée.</p>
    <p><a href="/interaction/${escape(uid)}/abort">Annuler</a></p>`,
  );
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('formulaire trop long');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Gives the consent the client asks for, as a first-party application would get it.
async function consent(provider, req, res, details) {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  if (prompt.details.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, page('Erreur', '<p class="erreur">Interaction inconnue ou expirée.</p>'));
    return;
  }
  if (req.method === 'GET' && action === undefined) {
    switch (details.prompt.name) {
      case 'login':
        send(res, 200, loginForm(uid));
        return;
      case 'consent':
        await consent(provider, req, res, details);
        return;
      default:
        send(res, 501, page('Erreur', `<p class="erreur">Étape non prise en charge : ${escape(details.prompt.name)}</p>`));
        return;
    }
  }
  if (req.method === 'POST' && action === 'login' && details.prompt.name === 'login') {
    const login = ((await readForm(req)).get('login') ?? '').trim();
    if (!login) {
      send(res, 400, loginForm(uid, 'Saisissez un identifiant.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    return;
  }
  if (req.method === 'GET' && action === 'abort') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'Connexion annulée' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  send(res, 404, page('Erreur', '<p class="erreur">Page introuvable.</p>'));
}

const server = createServer();
server.listen(Number(args.port), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (ctx, error) => console.error('provider.mjs : erreur', error));
  const callback = provider.callback();

  server.on('request', (req, res) => {
    const { pathname } = new URL(req.url, issuer);
    // Browsers ask for an icon; a 404 would read as an error in their console.
    if (pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const match = pathname.match(/^\/interaction\/([^/]+)(?:\/(login|abort))?$/);
    if (!match) {
      callback(req, res);
      return;
    }
    interaction(provider, req, res, match[1], match[2]).catch((error) => {
      if (res.headersSent) return;
      const known = error instanceof errors.SessionNotFound;
      if (!known) console.error('provider.mjs : erreur d\'interaction', error);
      send(res, known ? 400 : 500, page('Erreur', `<p class="erreur">${escape(error.message)}</p>`));
    });
  });

  console.log(`prêt ${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
