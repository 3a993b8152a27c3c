import { Badge } from "../../../components/ui/badge";
import { PageHeader } from "../../../components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { formatNumber } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";

export function EnvironmentsPage() {
  const { environments, env } = useWorkspaceScope();
  return (
    <>
      <PageHeader
        title="Environments"
        description="Flag definitions are shared by every environment; on/off, rules, rollouts and overrides are set per environment. API keys belong to one environment."
      />
      <Table label="Environments">
        <THead>
          <tr>
            <Th>Name</Th>
            <Th>Key</Th>
            <Th>Order</Th>
            <Th className="text-right">Changes published</Th>
          </tr>
        </THead>
        <TBody>
          {environments.map((e) => (
            <Tr key={e.id}>
              <Td>
                <span className="inline-flex items-center gap-2 font-medium text-slate-900">
                  <span className="h-2.5 w-2.5 rounded-full" style={{ background: e.color ?? "#64748b" }} aria-hidden="true" />
                  {e.name}
                  {e.key === env && <Badge tone="indigo">current</Badge>}
                </span>
              </Td>
              <Td className="font-mono text-xs">{e.key}</Td>
              <Td className="tabular-nums">{e.sortOrder}</Td>
              <Td className="text-right tabular-nums" title="The environment's snapshot version increases with every change that can alter an evaluation">
                {formatNumber(e.snapshotVersion)}
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </>
  );
}
