import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { wsKey } from "../../lib/query-keys";
import { useLiveUpdates } from "./use-live-updates";

afterEach(() => vi.unstubAllGlobals());

function setup(streamStatus: number) {
  vi.stubGlobal("fetch", vi.fn(async () => new Response(streamStatus === 200 ? new ReadableStream() : null, { status: streamStatus, headers: { "content-type": "text/event-stream" } })));
  const queryClient = new QueryClient();
  const invalidated: unknown[] = [];
  const original = queryClient.invalidateQueries.bind(queryClient);
  vi.spyOn(queryClient, "invalidateQueries").mockImplementation((filters, options) => {
    invalidated.push(filters?.queryKey);
    return original(filters, options);
  });
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
  return { invalidated, wrapper };
}

describe("useLiveUpdates", () => {
  it("refreshes the workspace's data on a timer while no live stream covers it", async () => {
    const { invalidated, wrapper } = setup(404);
    const { result, unmount } = renderHook(() => useLiveUpdates("demo", true, 20), { wrapper });
    await vi.waitFor(() => expect(result.current).toBe("offline"));
    await vi.waitFor(() => expect(invalidated.filter((key) => JSON.stringify(key) === JSON.stringify(wsKey("demo"))).length).toBeGreaterThanOrEqual(2));
    unmount();
  });

  it("leaves refreshing to the stream while it is live", async () => {
    const { invalidated, wrapper } = setup(200);
    const { result, unmount } = renderHook(() => useLiveUpdates("demo", true, 20), { wrapper });
    await vi.waitFor(() => expect(result.current).toBe("live"));
    const before = invalidated.length;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(invalidated).toHaveLength(before);
    unmount();
  });
});
