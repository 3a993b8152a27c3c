import { Toaster as Sonner, toast } from "sonner";

/** Where toasts appear; announced politely to screen readers. */
export function Toaster() {
  return <Sonner position="bottom-right" richColors closeButton duration={5000} toastOptions={{ className: "text-sm" }} />;
}

export { toast };
