/**
 * What a webhook delivers, and the same event as people read it: a Slack message (Block Kit)
 * and an e-mail.
 */
export interface WebhookEvent {
  /** The outbox id: unique, and increasing in the order the workspace's changes committed. */
  id: string;
  /** The audit action: `flag.created`, `flag_state.toggled`, `tenant_override.set`, ... */
  type: string;
  createdAt: string;
  workspace: { id: string; slug: string; name: string };
  environment: string | null;
  tenant: string | null;
  flag: string | null;
  actor: { type: string; id: string | null; email: string | null; name: string | null };
  target: { type: string; id: string | null; key: string | null };
  before: unknown;
  after: unknown;
}

/** `flag_state.toggled` → "Flag state toggled". */
export function describeType(type: string): string {
  const text = type.replace(/[._]/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Who did it, as a person reads it. */
export function describeActor(actor: WebhookEvent["actor"]): string {
  if (actor.type === "system") return "Ensign (scheduled)";
  if (actor.type === "api_key") return "an API key";
  if (actor.type === "service_token") return `service token ${actor.name ?? actor.id ?? ""}`.trim();
  return actor.email ?? actor.name ?? actor.id ?? actor.type;
}

/** A one-line summary: "Flag state toggled: new-checkout in production (tenant acme) by ana@example.com". */
export function summary(event: WebhookEvent): string {
  const subject = event.flag ?? event.target.key ?? event.target.id;
  let line = describeType(event.type);
  if (subject) line += `: ${subject}`;
  if (event.environment) line += ` in ${event.environment}`;
  if (event.tenant) line += ` (tenant ${event.tenant})`;
  return `${line} by ${describeActor(event.actor)}`;
}

/** The change as short `field: before → after` lines. */
export function changeLines(event: WebhookEvent, maxLines = 12): string[] {
  const before = isRecord(event.before) ? event.before : {};
  const after = isRecord(event.after) ? event.after : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const lines = keys.map((key) => {
    const was = key in before ? brief(before[key]) : "—";
    const now = key in after ? brief(after[key]) : "—";
    return `${key}: ${was} → ${now}`;
  });
  if (lines.length > maxLines) return [...lines.slice(0, maxLines), `… and ${lines.length - maxLines} more`];
  return lines;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** Slack's mrkdwn needs &, < and > escaped. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * A Slack incoming-webhook message: `text` for notifications and clients without blocks, and
 * blocks with a header, the facts as fields, the change, and a footer with the workspace.
 */
export function slackMessage(event: WebhookEvent) {
  const fields: { type: "mrkdwn"; text: string }[] = [];
  const fact = (label: string, value: string | null) => {
    if (value) fields.push({ type: "mrkdwn", text: `*${label}*\n${escapeSlack(clip(value, 200))}` });
  };
  fact("Flag", event.flag);
  fact("Environment", event.environment);
  fact("Tenant", event.tenant);
  if (!event.flag) fact(describeType(event.target.type), event.target.key ?? event.target.id);
  fact("By", describeActor(event.actor));
  const changes = changeLines(event);
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: clip(describeType(event.type), 150), emoji: false } },
    { type: "section", text: { type: "mrkdwn", text: escapeSlack(clip(summary(event), 3000)) }, ...(fields.length > 0 ? { fields } : {}) },
  ];
  if (changes.length > 0) blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(`\`\`\`${escapeSlack(changes.join("\n"))}\`\`\``, 3000) } });
  blocks.push({
    type: "context",
    elements: [{ type: "mrkdwn", text: escapeSlack(`${event.workspace.name} (${event.workspace.slug}) · event ${event.id} · ${event.createdAt}`) }],
  });
  return { text: clip(summary(event), 3000), blocks };
}

/** One e-mail for one event. */
export function eventEmail(event: WebhookEvent): { subject: string; text: string } {
  const subject = clip(`[Ensign] ${event.workspace.name}: ${summary(event)}`, 250);
  return { subject, text: `${emailSection(event)}\n\n${footer(event.workspace)}` };
}

/** One e-mail for several events (a digest), oldest first. */
export function digestEmail(events: WebhookEvent[], period: "hourly" | "daily"): { subject: string; text: string } {
  const workspace = events[0]!.workspace;
  const count = events.length === 1 ? "1 change" : `${events.length} changes`;
  const subject = `[Ensign] ${workspace.name}: ${count} (${period} digest)`;
  return { subject, text: `${events.map(emailSection).join("\n\n")}\n\n${footer(workspace)}` };
}

function emailSection(event: WebhookEvent): string {
  const lines = [`${event.createdAt}  ${summary(event)}`];
  for (const line of changeLines(event)) lines.push(`    ${line}`);
  lines.push(`    event ${event.id}, ${event.type}`);
  return lines.join("\n");
}

function footer(workspace: WebhookEvent["workspace"]): string {
  return `— Ensign, workspace ${workspace.name} (${workspace.slug}). Change what you receive under Settings → Webhooks.`;
}
