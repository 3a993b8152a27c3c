import { can, LoginBody, type Capability } from "@ensign/contracts/auth";
import { FlagKey, Key } from "@ensign/contracts/common";
import { CreateFlagBody, type FlagList } from "@ensign/contracts/flags";
import type { ImpactResponse } from "@ensign/contracts/live-evaluation";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf, type UserPrincipal, type WorkspaceScope } from "../../infra/auth";
import { AppError } from "../../infra/errors";
import { html, segment, type SafeHtml } from "./html";
import { createPageSessions, LOGIN_CSRF_COOKIE } from "./page-session";

export interface PagesOptions {
  /** The admin app's index.html with this markup in a `<noscript>`, as the document to send. */
  shell: (noscript: SafeHtml) => string;
  secret: string;
  secureCookies: boolean;
  passwordLogin: boolean;
  oidcLabel: string | null;
}

type Form = Record<string, string>;
const PAGE_SIZE = 50;
const FORM_BODY_LIMIT = 16 * 1024;

/** The styles of the pages without JavaScript (the app's stylesheet resets forms and tables). */
const STYLE = html`<style>
.nojs{font:16px/1.5 system-ui,sans-serif;max-width:72rem;margin:0 auto;padding:1.5rem;color:#0f172a}
.nojs header{display:flex;gap:1rem;align-items:center;justify-content:space-between;border-bottom:1px solid #cbd5e1;padding-bottom:.75rem;margin-bottom:1rem}
.nojs h1{font-size:1.5rem;font-weight:600;margin:0 0 1rem}.nojs h2{font-size:1.125rem;font-weight:600;margin:1.5rem 0 .5rem}
.nojs a{color:#1d4ed8;text-decoration:underline}
.nojs table{border-collapse:collapse;width:100%;margin:.5rem 0}.nojs th,.nojs td{border:1px solid #cbd5e1;padding:.375rem .5rem;text-align:left;vertical-align:top}
.nojs th{background:#f1f5f9}
.nojs input{border:1px solid #64748b;border-radius:.25rem;padding:.25rem .5rem;background:#fff}
.nojs button{border:1px solid #334155;border-radius:.25rem;padding:.25rem .75rem;background:#e2e8f0;color:#0f172a;cursor:pointer}
.nojs button.danger{border-color:#b91c1c;color:#b91c1c;background:#fff}
.nojs form.inline{display:inline}.nojs label{display:block;margin:.5rem 0}
.nojs .notice{border:1px solid #15803d;background:#f0fdf4;padding:.5rem .75rem}.nojs .error{border:1px solid #b91c1c;background:#fef2f2;padding:.5rem .75rem}
.nojs .on{color:#15803d;font-weight:600}.nojs .off{color:#475569;font-weight:600}.nojs .partial{color:#b45309;font-weight:600}
</style>`;

const field = (form: Form, name: string) => form[name] ?? "";

/**
 * A path of ours to go back to after signing in: never another site. Browsers drop tabs and
 * newlines from URLs and read `\` as `/`, so `/\tx` or `/\x` would become `//x`: no backslash,
 * space or control character is accepted at all.
 */
function localPath(next: string | undefined): string | null {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.length > 1000) return null;
  if (/[\\\s]/.test(next) || [...next].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return null;
  return next;
}

const tenants = (n: number) => `${n} tenant${n === 1 ? "" : "s"}`;

/** The switch's blast radius, as the app's confirmation shows it: who it turns on or off. */
function blastRadius(radius: ImpactResponse | undefined, key: string, envName: string): SafeHtml {
  if (!radius) return html`<p>Who this affects could not be worked out right now; the change can still be made.</p>`;
  if (radius.changed === 0) return html`<p>No tenant's value of ${key} changes in ${envName} (${tenants(radius.total)} checked).</p>`;
  const others = radius.changed - radius.turnedOn - radius.turnedOff;
  const parts = [
    radius.turnedOn > 0 ? `on for ${tenants(radius.turnedOn)}` : "",
    radius.turnedOff > 0 ? `off for ${tenants(radius.turnedOff)}` : "",
  ].filter(Boolean);
  const variants = others > 0 ? `changes the variant for ${tenants(others)}` : "";
  const effect = parts.length > 0 ? `turns ${key} ${parts.join(" and ")}${variants ? ` and ${variants}` : ""}` : `${variants} of ${key}`;
  const shown = radius.changes.slice(0, 20).map((change) => change.tenantKey);
  const more = radius.changed - shown.length;
  return html`<p role="status">This <strong>${effect}</strong> in ${envName} (${tenants(radius.total)} checked):</p>
<ul>${shown.map((tenant) => html`<li>${tenant}</li>`)}</ul>${more > 0 ? html`<p>and ${more} more.</p>` : null}`;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "form"}: ${issue.message}` : "The form is not valid.";
}

/**
 * The admin app's pages for a browser with JavaScript off (ADR 0025): sign in, the flags of a
 * workspace with search, switching a flag in an environment, creating and archiving a flag.
 * They are served at the app's own URLs, inside a `<noscript>` of the app's index.html, so with
 * JavaScript on the React app takes the same URL and nothing of this shows. Forms post back to
 * the server, which calls the same services as the JSON routes, behind the same capability
 * checks, and audits the same way.
 */
export function createPages(app: FastifyInstance, options: PagesOptions) {
  const sessions = createPageSessions(app, { secret: options.secret, secure: options.secureCookies });

  function send(reply: FastifyReply, body: SafeHtml, status = 200) {
    // The document may hold a workspace's data: private, and asked for again on every visit.
    return reply.code(status).type("text/html; charset=utf-8").header("cache-control", "no-cache, private").send(options.shell(body));
  }

  function layout(principal: UserPrincipal | null, main: SafeHtml, csrf?: string) {
    return html`${STYLE}<div class="nojs">
<header><a href="/">Ensign</a><span>Basic HTML: turn JavaScript on for the full app.</span>${
      principal && csrf
        ? html`<form class="inline" method="post" action="/logout"><span>${principal.email}</span> <input type="hidden" name="_csrf" value="${csrf}"><button type="submit">Sign out</button></form>`
        : null
    }</header>
<main>${main}</main></div>`;
  }

  function loginPage(request: FastifyRequest, reply: FastifyReply, state: { next?: string | null; email?: string; error?: string; notice?: string } = {}) {
    const token = sessions.loginToken(request, reply);
    const next = localPath(state.next ?? undefined);
    const form = options.passwordLogin
      ? html`<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${token}">${next ? html`<input type="hidden" name="next" value="${next}">` : null}
<label>Email <input type="email" name="email" autocomplete="username" required value="${state.email ?? ""}"></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>`
      : html`<p>Signing in with a password is switched off here; sign in with ${options.oidcLabel ?? "single sign-on"} (it needs JavaScript).</p>`;
    return layout(
      null,
      html`<h1>Sign in to Ensign</h1>${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : null}${
        state.error ? html`<p class="error" role="alert">${state.error}</p>` : null
      }${form}`,
    );
  }

  function workspacesPage(principal: UserPrincipal, memberships: { workspace: { slug: string; name: string } }[]) {
    const items = memberships.map((m) => html`<li><a href="/w/${segment(m.workspace.slug)}/flags">${m.workspace.name}</a> (${m.workspace.slug})</li>`);
    return layout(
      principal,
      html`<h1>Workspaces</h1>${items.length ? html`<ul>${items}</ul>` : html`<p>You are not a member of any workspace yet.</p>`}`,
      sessions.csrfOf(principal.sessionId!),
    );
  }

  const NOTICES: Record<string, (flag: string, env: string) => string> = {
    created: (flag) => `Flag ${flag} was created.`,
    archived: (flag) => `Flag ${flag} was archived.`,
    on: (flag, env) => `Flag ${flag} is now on in ${env}.`,
    off: (flag, env) => `Flag ${flag} is now off in ${env}.`,
  };

  interface FlagsView {
    search: string;
    page: number;
    notice?: string;
    error?: string;
    values?: { key: string; name: string; description: string };
  }

  /** The workspace's environments by key: their names and whether each is production. */
  async function environmentsOf(workspaceId: string) {
    const page = await app.services.environments.list(workspaceId, { page: 1, pageSize: 200, sort: "sortOrder", order: "asc" });
    return new Map(page.items.map((env) => [env.key, { name: env.name, isProduction: env.isProduction }]));
  }

  async function flagsPage(principal: UserPrincipal, scope: WorkspaceScope, view: FlagsView) {
    const csrf = sessions.csrfOf(principal.sessionId!);
    const envs = await environmentsOf(scope.workspaceId);
    const list: FlagList = await app.services.flagsList.list(scope.workspaceId, {
      page: view.page,
      pageSize: PAGE_SIZE,
      sort: "key",
      order: "asc",
      search: view.search || undefined,
      archived: false,
    });
    const base = `/w/${segment(scope.workspaceSlug)}/flags`;
    const mayToggle = can(scope.role, "state:write");
    const mayDefine = can(scope.role, "definitions:write");
    const environments = list.items[0]?.environments.map((e) => e.environment) ?? [];
    const hidden = html`<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="search" value="${view.search}">`;
    const rows = list.items.map(
      (flag) => html`<tr>
<td><code>${flag.key}</code></td><td>${flag.name}</td>
${flag.environments.map(
  // The status says what it serves (a switched-on flag may still serve its off variant); the button acts on the switch.
  (state) => html`<td><span class="${state.status}">${state.status}</span> <small>(switched ${state.enabled ? "on" : "off"})</small>${
    mayToggle
      ? html` <form class="inline" method="post" action="${base}/${segment(flag.key)}/toggle">${hidden}
<input type="hidden" name="env" value="${state.environment}"><input type="hidden" name="enabled" value="${state.enabled ? "false" : "true"}"><input type="hidden" name="version" value="${state.version}">
<button type="submit" aria-label="${state.enabled ? "Turn off" : "Turn on"} ${flag.key} in ${state.environment}">${state.enabled ? "Turn off" : "Turn on"}</button></form>`
      : null
  }</td>`,
)}
${
  mayDefine
    ? html`<td><form class="inline" method="post" action="${base}/${segment(flag.key)}/archive">${hidden}<input type="hidden" name="version" value="${flag.version}">
<button class="danger" type="submit" aria-label="Archive ${flag.key}">Archive</button></form></td>`
    : null
}</tr>`,
    );
    const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
    const pageLink = (page: number, label: string) => html`<a href="${base}?${new URLSearchParams({ search: view.search, page: String(page) }).toString()}">${label}</a>`;
    const values = view.values ?? { key: "", name: "", description: "" };
    return layout(
      principal,
      html`<h1>Flags in ${scope.workspaceName}</h1>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : null}${view.error ? html`<p class="error" role="alert">${view.error}</p>` : null}
<form method="get" action="${base}" role="search"><label>Search flags <input type="search" name="search" value="${view.search}"></label> <button type="submit">Search</button></form>
<p>${list.total} flag${list.total === 1 ? "" : "s"}${view.search ? html` matching “${view.search}”` : null}.</p>
${
  list.items.length
    ? html`<table><thead><tr><th scope="col">Key</th><th scope="col">Name</th>${environments.map((env) => html`<th scope="col">${envs.get(env)?.name ?? env}${envs.get(env)?.isProduction && !/production/i.test(envs.get(env)!.name) ? " (production)" : ""}</th>`)}${mayDefine ? html`<th scope="col">Actions</th>` : null}</tr></thead>
<tbody>${rows}</tbody></table>`
    : null
}
${pages > 1 ? html`<nav aria-label="Pages">Page ${view.page} of ${pages} ${view.page > 1 ? pageLink(view.page - 1, "Previous") : null} ${view.page < pages ? pageLink(view.page + 1, "Next") : null}</nav>` : null}
${
  mayDefine
    ? html`<h2>Create a flag</h2><form method="post" action="${base}"><input type="hidden" name="_csrf" value="${csrf}">
<label>Key <input name="key" required value="${values.key}"></label>
<label>Name <input name="name" required value="${values.name}"></label>
<label>Description <input name="description" value="${values.description}"></label>
<p>A boolean flag, off in every environment.</p><button type="submit">Create flag</button></form>`
    : null
}`,
      csrf,
    );
  }

  /** A switch in a production environment asks first, as the app does (it says who it reaches). */
  function confirmPage(principal: UserPrincipal, scope: WorkspaceScope, form: Form, key: string, env: { key: string; name: string }, radius: ImpactResponse | undefined) {
    const csrf = sessions.csrfOf(principal.sessionId!);
    const on = form.enabled === "true";
    const base = `/w/${segment(scope.workspaceSlug)}/flags`;
    const verb = on ? "Turn on" : "Turn off";
    return layout(
      principal,
      html`<h1>${verb} ${key} in ${env.name}?</h1>
<p>${env.name} is a production environment: every application and user evaluating ${key} there gets the change at once.</p>
${blastRadius(radius, key, env.name)}
<form method="post" action="${base}/${segment(key)}/toggle"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="search" value="${field(form, "search")}">
<input type="hidden" name="env" value="${env.key}"><input type="hidden" name="enabled" value="${on ? "true" : "false"}"><input type="hidden" name="version" value="${field(form, "version")}"><input type="hidden" name="confirm" value="yes">
<button type="submit">Yes, ${verb.toLowerCase()} in ${env.name}</button> <a href="${base}?${new URLSearchParams({ search: field(form, "search") }).toString()}">Cancel</a></form>`,
      csrf,
    );
  }

  /** The page of any other URL of the app: it needs JavaScript; here is what works without. */
  function elsewherePage(principal: UserPrincipal, memberships: { workspace: { slug: string; name: string } }[]) {
    return layout(
      principal,
      html`<h1>This page needs JavaScript</h1><p>Without JavaScript you can sign in, find and switch flags, and create and archive them:</p>
<ul>${memberships.map((m) => html`<li><a href="/w/${segment(m.workspace.slug)}/flags">Flags in ${m.workspace.name}</a></li>`)}</ul>`,
      sessions.csrfOf(principal.sessionId!),
    );
  }

  /** Runs the route's capability check with the page session's user, as the JSON routes do with a token's. */
  async function admit(request: FastifyRequest, reply: FastifyReply, principal: UserPrincipal, capability: Capability) {
    request.principal = principal;
    await app.requireCapability(capability)(request, reply);
    return scopeOf(request);
  }

  const viewOf = (query: Record<string, string | undefined>): FlagsView => {
    const page = Number(query.page);
    const flag = FlagKey.safeParse(query.flag).success ? query.flag! : "";
    const env = Key.safeParse(query.env).success ? query.env! : "";
    const notice = query.notice && flag ? NOTICES[query.notice]?.(flag, env) : undefined;
    return { search: (query.search ?? "").slice(0, 200), page: Number.isInteger(page) && page > 0 && page < 10_000 ? page : 1, notice };
  };

  /** The flags page again after a refused write: the reason on top, what was typed kept. */
  async function refused(request: FastifyRequest, reply: FastifyReply, principal: UserPrincipal, error: unknown, view: FlagsView) {
    if (!(error instanceof AppError)) throw error;
    const scope = await admit(request, reply, principal, "workspace:read");
    return send(reply, await flagsPage(principal, scope, { ...view, error: error.message }), error.status);
  }

  return {
    sessions,

    /** The `<noscript>` of a URL without a page of its own: the workspaces at `/`, else what works without JavaScript. */
    async elsewhere(request: FastifyRequest, reply: FastifyReply, pathname: string) {
      const principal = await sessions.principal(request);
      if (!principal) return send(reply, loginPage(request, reply, { next: pathname === "/" ? null : request.url }));
      const me = await app.services.auth.currentUser({ id: principal.userId, email: principal.email, name: principal.name, isSuperadmin: principal.isSuperadmin });
      return send(reply, pathname === "/" ? workspacesPage(principal, me.memberships) : elsewherePage(principal, me.memberships));
    },

    async register(scope: FastifyInstance) {
      // Plain HTML forms post `application/x-www-form-urlencoded`; only these routes read it.
      scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
      const formOf = (request: FastifyRequest): Form => {
        const body = request.body;
        if (!body || typeof body !== "object" || Array.isArray(body)) return {};
        return Object.fromEntries(Object.entries(body as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"));
      };

      /**
       * A form post's signed-in user. Without a page session (it ended, or the post came from
       * another site, which a SameSite=Lax cookie never accompanies) it is back to signing in;
       * with one, a token that is not the session's is refused.
       */
      async function poster(request: FastifyRequest, reply: FastifyReply, form: Form): Promise<UserPrincipal | null> {
        const principal = await sessions.principal(request);
        if (!principal) {
          const { workspace } = (request.params ?? {}) as { workspace?: string };
          await reply.redirect(workspace ? `/login?next=${encodeURIComponent(`/w/${segment(workspace)}/flags`)}` : "/login", 303);
          return null;
        }
        if (!sessions.csrfValid(principal.sessionId!, form._csrf)) {
          throw new AppError("FORBIDDEN", "The form's security token is missing or belongs to another session: reload the page and try again.");
        }
        return principal;
      }

      const hide = { schema: { hide: true } };
      // A form's fields: names and values, all text (anything else is not a form: 400).
      const posted = { schema: { hide: true, body: z.record(z.string(), z.string()) } };

      scope.get("/login", hide, async (request, reply) => {
        const query = request.query as Record<string, string | undefined>;
        return send(reply, loginPage(request, reply, { next: query.next ?? null, notice: query.signedOut === "1" ? "You are signed out." : undefined }));
      });

      scope.post("/login", posted, async (request, reply) => {
        const form = formOf(request);
        const next = localPath(form.next);
        const again = (status: number, error: string) => send(reply, loginPage(request, reply, { next, email: field(form, "email"), error }), status);
        if (!sessions.loginTokenValid(request, form._csrf)) return again(403, "The sign-in form had expired; please sign in again.");
        if (!options.passwordLogin) return again(403, `Signing in with a password is switched off here; sign in with ${options.oidcLabel ?? "single sign-on"}.`);
        const body = LoginBody.safeParse({ email: field(form, "email").trim(), password: field(form, "password") });
        if (!body.success) return again(400, "Enter your email address and your password.");
        const wait = await app.services.loginThrottle.attempt(request.ip, body.data.email);
        if (wait > 0) {
          reply.header("retry-after", String(wait));
          return again(429, `Too many sign-in attempts; try again in ${wait} s.`);
        }
        let tokens;
        try {
          tokens = await app.services.auth.login(body.data.email, body.data.password, { ip: request.ip, userAgent: request.headers["user-agent"] });
        } catch (error) {
          if (error instanceof AppError && error.code === "INVALID_CREDENTIALS") return again(401, error.message);
          throw error;
        }
        sessions.start(reply, { userId: tokens.user.id, sessionId: tokens.sessionId, expiresAt: tokens.refreshExpiresAt });
        reply.clearCookie(LOGIN_CSRF_COOKIE, { path: "/login" });
        const only = tokens.user.memberships.length === 1 ? `/w/${segment(tokens.user.memberships[0]!.workspace.slug)}/flags` : "/";
        return reply.redirect(next ?? only, 303);
      });

      scope.post("/logout", posted, async (request, reply) => {
        const principal = await poster(request, reply, formOf(request));
        if (!principal) return reply;
        await app.services.auth.logout(principal.sessionId!);
        sessions.end(reply);
        return reply.redirect("/login?signedOut=1", 303);
      });

      scope.get("/w/:workspace/flags", hide, async (request, reply) => {
        const principal = await sessions.principal(request);
        if (!principal) return send(reply, loginPage(request, reply, { next: request.url }));
        try {
          const scopeOfPage = await admit(request, reply, principal, "workspace:read");
          return send(reply, await flagsPage(principal, scopeOfPage, viewOf(request.query as Record<string, string | undefined>)));
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return send(reply, layout(principal, html`<h1>Flags</h1><p class="error" role="alert">${error.message}</p><p><a href="/">Your workspaces</a></p>`, sessions.csrfOf(principal.sessionId!)), error.status);
        }
      });

      const backTo = (request: FastifyRequest, form: Form, notice: Record<string, string>) => {
        const { workspace } = request.params as { workspace: string };
        const query = new URLSearchParams({ ...(form.search ? { search: form.search } : {}), ...notice });
        return `/w/${segment(workspace)}/flags?${query.toString()}`;
      };
      const versionOf = (form: Form) => (/^\d{1,9}$/.test(field(form, "version")) ? Number(form.version) : 0);

      scope.post("/w/:workspace/flags", posted, async (request, reply) => {
        const form = formOf(request);
        const principal = await poster(request, reply, form);
        if (!principal) return reply;
        const values = { key: field(form, "key").trim(), name: field(form, "name").trim(), description: field(form, "description").trim() };
        const view: FlagsView = { search: "", page: 1, values };
        try {
          const scope = await admit(request, reply, principal, "definitions:write");
          const body = CreateFlagBody.safeParse({ key: values.key, name: values.name, ...(values.description ? { description: values.description } : {}) });
          if (!body.success) throw new AppError("VALIDATION_FAILED", `The flag was not created: ${firstIssue(body.error)}`);
          const created = await app.services.flags.create(scope.workspaceId, body.data, actorOf(request));
          return reply.redirect(backTo(request, {}, { notice: "created", flag: created.key }), 303);
        } catch (error) {
          return refused(request, reply, principal, error, view);
        }
      });

      scope.post("/w/:workspace/flags/:key/toggle", posted, async (request, reply) => {
        const form = formOf(request);
        const principal = await poster(request, reply, form);
        if (!principal) return reply;
        const { key } = request.params as { key: string };
        const view: FlagsView = { search: field(form, "search"), page: 1 };
        try {
          const scope = await admit(request, reply, principal, "state:write");
          const env = Key.safeParse(form.env);
          if (!env.success || !["true", "false"].includes(field(form, "enabled"))) throw new AppError("VALIDATION_FAILED", "The switch's form is not valid: reload the page.");
          const enabled = form.enabled === "true";
          const environment = (await environmentsOf(scope.workspaceId)).get(env.data);
          if (environment?.isProduction && form.confirm !== "yes") {
            const radius = await app.services.evaluation.impact(scope.workspaceId, env.data, { flag: key, state: { enabled } }).catch(() => undefined);
            return send(reply, confirmPage(principal, scope, form, key, { key: env.data, name: environment.name }, radius));
          }
          await app.services.flagState.toggle(scope.workspaceId, key, env.data, versionOf(form), enabled, actorOf(request));
          return reply.redirect(backTo(request, form, { notice: enabled ? "on" : "off", flag: key, env: env.data }), 303);
        } catch (error) {
          return refused(request, reply, principal, error, view);
        }
      });

      scope.post("/w/:workspace/flags/:key/archive", posted, async (request, reply) => {
        const form = formOf(request);
        const principal = await poster(request, reply, form);
        if (!principal) return reply;
        const { key } = request.params as { key: string };
        const view: FlagsView = { search: field(form, "search"), page: 1 };
        try {
          const scope = await admit(request, reply, principal, "definitions:write");
          await app.services.flags.setLifecycle(scope.workspaceId, key, versionOf(form), "archived", actorOf(request));
          return reply.redirect(backTo(request, form, { notice: "archived", flag: key }), 303);
        } catch (error) {
          return refused(request, reply, principal, error, view);
        }
      });
    },
  };
}
