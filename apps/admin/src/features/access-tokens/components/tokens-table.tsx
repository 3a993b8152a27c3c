import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { formatDateTime, formatRelative } from "../../../lib/format";

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  role: string;
  /** Service tokens: the environment it is bound to. */
  scope?: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Tokens by prefix, name, role, expiry and last use; never their secrets. */
export function TokensTable({ label, tokens, onRevoke }: { label: string; tokens: TokenRow[]; onRevoke(id: string): void }) {
  const hasScope = tokens.some((t) => t.scope !== undefined);
  // When the page opened: expiry is shown against it, steady across re-renders.
  const [now] = useState(() => Date.now());
  return (
    <Table label={label}>
      <THead>
        <tr>
          <Th>Name</Th>
          <Th>Token</Th>
          <Th>Role</Th>
          {hasScope && <Th>Environment</Th>}
          <Th>Expires</Th>
          <Th>Last used</Th>
          <Th className="w-28"><span className="sr-only">Actions</span></Th>
        </tr>
      </THead>
      <TBody>
        {tokens.map((t) => {
          const isExpired = Date.parse(t.expiresAt) <= now;
          return (
            <Tr key={t.id} className={t.revokedAt || isExpired ? "bg-slate-50" : undefined}>
              <Td className="font-medium text-slate-900">{t.name}</Td>
              <Td className="font-mono text-xs">{t.prefix}…</Td>
              <Td><Badge tone="indigo">{t.role}</Badge></Td>
              {hasScope && <Td className="text-xs text-slate-600">{t.scope}</Td>}
              <Td className="text-xs text-slate-500" title={formatDateTime(t.expiresAt)}>{isExpired ? "expired" : formatRelative(t.expiresAt)}</Td>
              <Td className="text-xs text-slate-500">{t.lastUsedAt ? formatRelative(t.lastUsedAt) : "never"}</Td>
              <Td className="text-right">
                {t.revokedAt ? <Badge tone="red">revoked</Badge> : <Button size="sm" variant="danger-ghost" onClick={() => onRevoke(t.id)}>Revoke</Button>}
              </Td>
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}
