import type { LiveEvaluationBody, LiveEvaluationResponse } from "@ensign/contracts/live-evaluation";
import { useMutation } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";

/** Evaluates as the server would, with the full trace and the server-side latency; writes nothing. */
export const evaluate = (ws: string, env: string, body: LiveEvaluationBody) => api<LiveEvaluationResponse>(`/v1/workspaces/${ws}/environments/${env}/evaluate`, { method: "POST", body });

export const useEvaluate = (ws: string) => useMutation({ mutationFn: ({ env, body }: { env: string; body: LiveEvaluationBody }) => evaluate(ws, env, body), meta: { silent: true } });
