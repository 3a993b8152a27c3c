/** The producers one may sign in as: tenants of the demo workspace `piquetickets` (keys are slugs of the names). */
export const PRODUCERS = [
  "Arizona Comedy",
  "Desert Laughs",
  "Phoenix Improv Collective",
  "Tucson Theatre Works",
  "Sedona Sound Series",
  "Mesa Music Hall",
  "Flagstaff Folk Nights",
  "Scottsdale Stand-Up",
  "Tempe Jazz Society",
  "Chandler Cabaret",
].map((name) => ({ key: slugify(name), name }));

export type Producer = (typeof PRODUCERS)[number];

export function producerByKey(key: unknown): Producer | undefined {
  return PRODUCERS.find((producer) => producer.key === key);
}

function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}
