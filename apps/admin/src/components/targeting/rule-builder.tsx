import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { arrayMove, SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { Condition, Rule, Variant } from "@ensign/contracts/targeting";
import { ArrowDown, ArrowUp, GripVertical, ListPlus, Plus, Trash2 } from "lucide-react";
import { Button } from "../ui/button";
import { EmptyState } from "../ui/empty-state";
import { Input } from "../ui/input";
import { ConditionRow } from "./condition-row";
import { ServeEditor } from "./serve-editor";

/** A rule being edited; new rules carry a client id until the API stores them. */
export type RuleDraft = Rule;

let counter = 0;
export const newRuleId = () => `new-${Date.now().toString(36)}-${(counter++).toString(36)}`;
export const newCondition = (): Condition => ({ attribute: "", operator: "in", values: [] });

export interface RuleBuilderProps {
  rules: RuleDraft[];
  onChange(rules: RuleDraft[]): void;
  variants: Variant[];
  /** The variant new rules serve at first. */
  defaultVariant: string;
  segments?: string[];
  /** End-user role keys, suggested for `role_at_least`. */
  roles?: string[];
  /** Extra attribute names to suggest, e.g. `header.<name>` for the environment's exposed headers. */
  attributes?: string[];
  disabled?: boolean;
}

/**
 * Targeting rules, evaluated top to bottom; the first whose conditions all hold decides.
 * Reorder by dragging the handle, by keyboard on the handle (Space, arrows, Space), or with the
 * move buttons.
 */
export function RuleBuilder({ rules, onChange, variants, defaultVariant, segments, roles, attributes, disabled }: RuleBuilderProps) {
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const update = (index: number, rule: RuleDraft) => onChange(rules.map((r, i) => (i === index ? rule : r)));
  const move = (from: number, to: number) => {
    if (to < 0 || to >= rules.length) return;
    onChange(arrayMove(rules, from, to));
  };
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    move(
      rules.findIndex((r) => r.id === active.id),
      rules.findIndex((r) => r.id === over.id),
    );
  };
  const add = () => onChange([...rules, { id: newRuleId(), conditions: [newCondition()], serve: { variant: defaultVariant } }]);

  return (
    <div className="space-y-3">
      {rules.length === 0 ? (
        <EmptyState icon={ListPlus} title="No targeting rules" action={!disabled && <Button onClick={add}><Plus className="h-4 w-4" aria-hidden="true" />Add rule</Button>}>
          Everyone who gets this far receives the fallthrough below. Add a rule to serve something else to an audience.
        </EmptyState>
      ) : (
        <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
          <SortableContext items={rules.map((r) => r.id)} strategy={verticalListSortingStrategy}>
            <ol className="space-y-3" aria-label="Targeting rules">
              {rules.map((rule, index) => (
                <SortableRule
                  key={rule.id}
                  rule={rule}
                  index={index}
                  count={rules.length}
                  variants={variants}
                  segments={segments}
                  roles={roles}
                  attributes={attributes}
                  disabled={disabled}
                  onChange={(r) => update(index, r)}
                  onMove={(to) => move(index, to)}
                  onRemove={() => onChange(rules.filter((_, i) => i !== index))}
                />
              ))}
            </ol>
          </SortableContext>
        </DndContext>
      )}
      {rules.length > 0 && !disabled && (
        <Button onClick={add}>
          <Plus className="h-4 w-4" aria-hidden="true" />
          Add rule
        </Button>
      )}
    </div>
  );
}

interface SortableRuleProps {
  rule: RuleDraft;
  index: number;
  count: number;
  variants: Variant[];
  segments?: string[];
  /** End-user role keys, suggested for `role_at_least`. */
  roles?: string[];
  /** Extra attribute names to suggest, e.g. `header.<name>` for the environment's exposed headers. */
  attributes?: string[];
  disabled?: boolean;
  onChange(rule: RuleDraft): void;
  onMove(to: number): void;
  onRemove(): void;
}

function SortableRule({ rule, index, count, variants, segments, roles, attributes: suggested, disabled, onChange, onMove, onRemove }: SortableRuleProps) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: rule.id, disabled });
  const label = `Rule ${index + 1}`;
  const setCondition = (i: number, condition: Condition) => onChange({ ...rule, conditions: rule.conditions.map((c, j) => (j === i ? condition : c)) });
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      className={isDragging ? "relative z-10 rounded-lg border border-indigo-300 bg-white shadow-lg" : "rounded-lg border border-slate-200 bg-white"}
      aria-label={label}
    >
      <div className="flex items-center gap-2 border-b border-slate-100 px-3 py-2">
        {!disabled && (
          <button ref={setActivatorNodeRef} type="button" aria-label={`Drag ${label} to reorder`} className="cursor-grab rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-600 active:cursor-grabbing" {...attributes} {...listeners}>
            <GripVertical className="h-4 w-4" aria-hidden="true" />
          </button>
        )}
        <span className="flex h-6 w-6 items-center justify-center rounded-full bg-slate-100 text-xs font-semibold text-slate-600">{index + 1}</span>
        <Input aria-label={`${label} name`} value={rule.name ?? ""} placeholder="Name this rule (optional)" disabled={disabled} onChange={(e) => onChange({ ...rule, name: e.target.value || undefined })} className="h-8 max-w-xs border-transparent shadow-none hover:border-slate-300" />
        <div className="ml-auto flex items-center gap-1">
          {!disabled && (
            <>
              <Button size="icon" variant="ghost" aria-label={`Move ${label} up`} disabled={index === 0} onClick={() => onMove(index - 1)}>
                <ArrowUp className="h-4 w-4" aria-hidden="true" />
              </Button>
              <Button size="icon" variant="ghost" aria-label={`Move ${label} down`} disabled={index === count - 1} onClick={() => onMove(index + 1)}>
                <ArrowDown className="h-4 w-4" aria-hidden="true" />
              </Button>
              <Button size="icon" variant="danger-ghost" aria-label={`Delete ${label}`} onClick={onRemove}>
                <Trash2 className="h-4 w-4" aria-hidden="true" />
              </Button>
            </>
          )}
        </div>
      </div>
      <div className="space-y-3 p-3">
        <div className="space-y-2">
          {rule.conditions.map((condition, i) => (
            <div key={i} className="flex gap-2">
              <span className="w-10 pt-2 text-right text-xs font-semibold text-slate-400 uppercase">{i === 0 ? "if" : "and"}</span>
              <div className="flex-1">
                <ConditionRow
                  condition={condition}
                  label={`${label}, condition ${i + 1}`}
                  segments={segments}
                  roles={roles}
                  attributes={suggested}
                  disabled={disabled}
                  onChange={(c) => setCondition(i, c)}
                  onRemove={() => onChange({ ...rule, conditions: rule.conditions.filter((_, j) => j !== i) })}
                />
              </div>
            </div>
          ))}
          {rule.conditions.length === 0 && <p className="pl-12 text-xs text-slate-500">No conditions: this rule matches everyone who reaches it.</p>}
          {!disabled && (
            <Button size="sm" variant="ghost" className="ml-10" onClick={() => onChange({ ...rule, conditions: [...rule.conditions, newCondition()] })}>
              <Plus className="h-3.5 w-3.5" aria-hidden="true" />
              Add condition
            </Button>
          )}
        </div>
        <div className="border-t border-slate-100 pt-3 pl-12">
          <ServeEditor value={rule.serve} onChange={(serve) => onChange({ ...rule, serve })} variants={variants} label={label} disabled={disabled} />
        </div>
      </div>
    </li>
  );
}
