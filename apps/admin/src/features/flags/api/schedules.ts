import type { CreateRampBody, CreateScheduleBody, RampResponse, ScheduleList, ScheduleResponse } from "@ensign/contracts/schedules";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { flagDetailKey } from "./flag-keys";

const base = (ws: string, env: string, key: string) => `/v1/workspaces/${ws}/flags/${encodeURIComponent(key)}/environments/${env}/schedules`;
const schedulesKey = (ws: string, env: string, key: string) => [...flagDetailKey(ws, env, key), "schedules"] as const;

export const getSchedules = (ws: string, env: string, key: string) => api<ScheduleList>(base(ws, env, key), { query: { pageSize: 100 } });
export const getSchedulesQueryOptions = (ws: string, env: string, key: string) => queryOptions({ queryKey: schedulesKey(ws, env, key), queryFn: () => getSchedules(ws, env, key) });
export const useSchedules = (ws: string, env: string, key: string) => useQuery(getSchedulesQueryOptions(ws, env, key));

export const createSchedule = (ws: string, env: string, key: string, body: CreateScheduleBody) => api<ScheduleResponse>(base(ws, env, key), { method: "POST", body });
export const createRamp = (ws: string, env: string, key: string, body: CreateRampBody) => api<RampResponse>(`${base(ws, env, key)}/ramp`, { method: "POST", body });
export const cancelSchedule = (ws: string, env: string, key: string, id: string, ramp: boolean) => api<unknown>(`${base(ws, env, key)}/${id}`, { method: "DELETE", query: { ramp: ramp || undefined } });

function useScheduleMutation<T>(ws: string, env: string, key: string, fn: (input: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => queryClient.invalidateQueries({ queryKey: schedulesKey(ws, env, key) }) });
}

export const useCreateSchedule = (ws: string, env: string, key: string) => useScheduleMutation(ws, env, key, (body: CreateScheduleBody) => createSchedule(ws, env, key, body));
export const useCreateRamp = (ws: string, env: string, key: string) => useScheduleMutation(ws, env, key, (body: CreateRampBody) => createRamp(ws, env, key, body));
export const useCancelSchedule = (ws: string, env: string, key: string) =>
  useScheduleMutation(ws, env, key, (input: { id: string; ramp: boolean }) => cancelSchedule(ws, env, key, input.id, input.ramp));
