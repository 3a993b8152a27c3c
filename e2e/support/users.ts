/** The demo data's logins (apps/api/src/seed/demo-data.ts): local-only, never deployed. */
export const USERS = {
  owner: { email: "admin@ensign.local", password: "ensign-admin-demo" },
  editor: { email: "editor@ensign.local", password: "ensign-editor-demo" },
  viewer: { email: "viewer@ensign.local", password: "ensign-viewer-demo" },
  tenantAdmin: { email: "tenant-admin@ensign.local", password: "ensign-tenant-demo" },
  /** PiqueTickets' tenant admin for Arizona Comedy: seed 000's producer, who never switches its own features. */
  producer: { email: "producer@arizona-comedy.test", password: "ensign-producer-demo" },
} as const;
export type RoleName = keyof typeof USERS;
