/** Where the app remembers the workspace last opened, so "/" returns there. */
export const LAST_WORKSPACE_KEY = "ensign:workspace";
