import { CreateWorkspaceBody } from "@ensign/contracts/workspaces";
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Button } from "../../../components/ui/button";
import { Dialog } from "../../../components/ui/dialog";
import { Field, Input } from "../../../components/ui/input";
import { toast } from "../../../components/ui/toaster";
import { keyFromName } from "../../../lib/format";
import { applyApiErrors } from "../../../lib/form-errors";
import { useCreateWorkspace } from "../api/create-workspace";

type Values = { name: string; slug: string };

/** A platform superadmin creates a workspace; it starts with development, staging and production. */
export function CreateWorkspaceDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange(open: boolean): void; onCreated(slug: string): void }) {
  const create = useCreateWorkspace();
  const form = useForm<Values>({ resolver: zodResolver(CreateWorkspaceBody), defaultValues: { name: "", slug: "" } });
  const { errors, isSubmitting } = form.formState;
  const [slugEdited, setSlugEdited] = useState(false);
  const submit = form.handleSubmit(async (values) => {
    try {
      const created = await create.mutateAsync(values);
      toast.success(`Workspace ${created.name} created`);
      form.reset();
      setSlugEdited(false);
      onOpenChange(false);
      onCreated(created.slug);
    } catch (error) {
      applyApiErrors(error, form.setError, ["name", "slug"], { conflictField: "slug" });
    }
  });
  const name = form.register("name", {
    onChange: (e: { target: { value: string } }) => {
      if (!slugEdited) form.setValue("slug", keyFromName(e.target.value).replace(/[_.]/g, "-").slice(0, 63));
    },
  });
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="New workspace"
      description="A workspace is one customer account: its own flags, tenants, members and keys."
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button variant="primary" type="submit" form="create-workspace" isLoading={isSubmitting}>
            Create workspace
          </Button>
        </>
      }
    >
      <form id="create-workspace" onSubmit={submit} noValidate className="space-y-4">
        <Field label="Name" error={errors.name?.message}>
          {(props) => <Input autoFocus {...props} {...name} />}
        </Field>
        <Field label="Slug" hint="Used in addresses and API paths; cannot change later." error={errors.slug?.message}>
          {(props) => <Input className="font-mono" {...props} {...form.register("slug", { onChange: () => setSlugEdited(true) })} />}
        </Field>
        {errors.root && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
            {errors.root.message}
          </p>
        )}
      </form>
    </Dialog>
  );
}
