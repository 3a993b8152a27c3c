import { conditionValueIssue, OPERATORS, type Condition, type Operator } from "@ensign/contracts/targeting";
import { Trash2 } from "lucide-react";
import { useId } from "react";
import { Button } from "../ui/button";
import { Input, Select } from "../ui/input";
import { COMMON_ATTRIBUTES, OPERATOR_INFO, valuesForOperator } from "./operators";
import { ValuesInput } from "./values-input";

export interface ConditionRowProps {
  condition: Condition;
  onChange(condition: Condition): void;
  onRemove(): void;
  /** e.g. "Rule 1, condition 2": prefixes every control's accessible name. */
  label: string;
  segments?: string[];
  /** End-user role keys, suggested for `role_at_least`. */
  roles?: string[];
  /** Attribute names suggested after the common ones. */
  attributes?: string[];
  disabled?: boolean;
  showIssues?: boolean;
}

/** One condition: attribute, operator (the contract's list), values, and NOT. */
export function ConditionRow({ condition, onChange, onRemove, label, segments = [], roles = [], attributes = [], disabled, showIssues = true }: ConditionRowProps) {
  const id = useId();
  const info = OPERATOR_INFO[condition.operator];
  const issue = showIssues ? (condition.attribute ? undefined : "choose an attribute") ?? conditionValueIssue(condition.operator, condition.values) : undefined;
  const single = condition.values[0];
  return (
    <div className="space-y-1">
      <fieldset disabled={disabled} className="flex flex-wrap items-start gap-2">
        <legend className="sr-only">{label}</legend>
        <Input
          aria-label={`${label} attribute`}
          list={`${id}-attributes`}
          value={condition.attribute}
          onChange={(e) => onChange({ ...condition, attribute: e.target.value.trim() })}
          placeholder="attribute"
          className="w-40 font-mono text-xs"
        />
        <datalist id={`${id}-attributes`}>
          {[...COMMON_ATTRIBUTES, ...attributes].map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <button
          type="button"
          aria-label={`${label} negate`}
          aria-pressed={!!condition.negate}
          title={condition.negate ? "Negated: the condition holds when the test fails" : "Negate this condition"}
          onClick={() => onChange({ ...condition, negate: condition.negate ? undefined : true })}
          className={
            condition.negate
              ? "h-9 rounded-md border border-rose-300 bg-rose-50 px-2.5 text-xs font-semibold text-rose-700"
              : "h-9 rounded-md border border-slate-200 px-2.5 text-xs font-semibold text-slate-400 hover:border-slate-300 hover:text-slate-600"
          }
        >
          NOT
        </button>
        <Select
          aria-label={`${label} operator`}
          value={condition.operator}
          onChange={(e) => {
            const operator = e.target.value as Operator;
            onChange({ ...condition, operator, values: valuesForOperator(operator, condition.values) });
          }}
          className="w-48"
        >
          {OPERATORS.map((op) => (
            <option key={op} value={op}>
              {OPERATOR_INFO[op].label} ({op})
            </option>
          ))}
        </Select>
        {info.input === "list" && <ValuesInput label={`${label} values`} values={condition.values} onChange={(values) => onChange({ ...condition, values })} invalid={!!issue} />}
        {info.input === "segments" && (
          <ValuesInput label={`${label} segments`} values={condition.values} onChange={(values) => onChange({ ...condition, values })} invalid={!!issue} placeholder="segment key" suggestions={segments} />
        )}
        {info.input === "roles" && (
          <ValuesInput label={`${label} roles`} values={condition.values} onChange={(values) => onChange({ ...condition, values })} invalid={!!issue} placeholder="role key" suggestions={roles} />
        )}
        {(info.input === "number" || info.input === "percentage") && (
          <Input
            type="number"
            aria-label={`${label} value`}
            aria-invalid={!!issue}
            value={typeof single === "number" ? single : ""}
            min={info.input === "percentage" ? 0 : undefined}
            max={info.input === "percentage" ? 100 : undefined}
            step="any"
            onChange={(e) => onChange({ ...condition, values: e.target.value === "" ? [] : [Number(e.target.value)] })}
            className="w-32"
          />
        )}
        {(info.input === "text" || info.input === "date") && (
          <Input
            aria-label={`${label} value`}
            aria-invalid={!!issue}
            value={typeof single === "string" ? single : ""}
            placeholder={info.input === "date" ? "2026-01-31 or now-7d" : "^regex$"}
            onChange={(e) => onChange({ ...condition, values: e.target.value === "" ? [] : [e.target.value] })}
            className="w-56 flex-1 font-mono text-xs"
          />
        )}
        {info.input === "none" && <span className="self-center text-xs text-slate-400">no value needed</span>}
        <Button size="icon" variant="ghost" aria-label={`Remove ${label}`} onClick={onRemove}>
          <Trash2 className="h-4 w-4" aria-hidden="true" />
        </Button>
      </fieldset>
      {issue && (
        <p role="alert" className="text-xs text-red-600">
          {label}: {issue}
        </p>
      )}
    </div>
  );
}
