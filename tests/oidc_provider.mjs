// A real OpenID provider (the npm oidc-provider) on loopback, for the single sign-on tests.
//
//   node tests/oidc_provider.mjs   with the environment:
//   OIDC_PORT        port to listen on (127.0.0.1)
//   OIDC_CLIENT      JSON: {client_id, client_secret, redirect_uris, backchannel_logout_uri,
//                    post_logout_redirect_uris}
//   OIDC_ACCOUNTS    JSON: {login: {claims...}}; the login typed on the provider's own sign-in
//                    form (its development interactions) picks the account.
//
// Prints "listening" once it accepts connections; stops on SIGTERM.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const client = JSON.parse(process.env.OIDC_CLIENT);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_post",
      backchannel_logout_session_required: false,
      ...client,
    },
  ],
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  claims: {
    openid: ["sub"],
    email: ["email"],
    phone: ["phone_number"],
    profile: ["name", "employee_number", "department", "groups"],
  },
  features: {
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  cookies: { keys: ["grid-academy-test-only"] },
  // The provider refuses to call special-use addresses (its SSRF guard); here the relying
  // party's back-channel logout endpoint is on loopback on purpose.
  fetch(url, options) {
    delete options.dispatcher;
    return globalThis.fetch(url, options);
  },
  ttl: { Session: 3600, Grant: 3600, Interaction: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
});
provider.proxy = false;
provider.on("backchannel.success", (ctx, client, accountId) =>
  console.log(`backchannel logout sent for ${accountId} to ${client.clientId}`));
provider.on("backchannel.error", (ctx, error, client, accountId) =>
  console.log(`backchannel logout for ${accountId} to ${client.clientId} failed: ${error} ${error.cause ?? ""}`));
provider.on("server_error", (ctx, error) => console.log(`server error: ${error}`));

const server = provider.listen(port, "127.0.0.1", () => console.log("listening"));
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
