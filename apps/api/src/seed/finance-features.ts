/** Seed 003's Initial Feature List: the Finance Suite's modules and features with their defaults. */
export interface FeatureSeed {
  key: string;
  name: string;
  description: string;
  defaultOn: boolean;
  isBeta?: boolean;
  dependsOn?: string[];
}

export const FINANCE_MODULES: { key: string; name: string; description: string; features: FeatureSeed[] }[] = [
  {
    key: "FIN",
    name: "Finance",
    description: "Bookkeeping, invoices, tax declarations.",
    features: [
      { key: "fin_import_banking_str_revenue", name: "STR Channel Revenue Calculation", description: "Calculate STR revenue when importing bank data", defaultOn: true },
      { key: "fin_import_invoices_generate_receipt", name: "Generate Receipt on Invoice Import", description: "Auto-generate receipts for imported invoices", defaultOn: true },
      { key: "fin_import_invoices_missing_generation", name: "Generate Missing Invoices", description: "Auto-generate invoices for transactions w/o docs", defaultOn: false, isBeta: true },
      { key: "fin_duplicate_detection", name: "Duplicate Invoice Detection", description: "AI-powered duplicate detection", defaultOn: true, dependsOn: ["fin_ai_extraction"] },
      { key: "fin_ai_extraction", name: "AI Invoice Extraction", description: "Use OpenRouter AI for invoice parsing", defaultOn: true },
      { key: "fin_excel_export", name: "Excel Export", description: "Export financial reports to Excel", defaultOn: true },
      { key: "fin_aangifte_ib", name: "Aangifte IB (Income Tax)", description: "Generate income tax declarations", defaultOn: true },
      { key: "fin_btw_processor", name: "BTW (VAT) Processing", description: "Process VAT transactions", defaultOn: true },
      { key: "fin_toeristenbelasting", name: "Tourist Tax Processing", description: "Process tourist tax calculations", defaultOn: true },
    ],
  },
  {
    key: "STR",
    name: "Short-term rental",
    description: "Bookings, channels and pricing for short-term rentals.",
    features: [
      { key: "str_pricing_optimizer", name: "AI Pricing Optimizer", description: "AI-powered pricing recommendations", defaultOn: false, isBeta: true },
      { key: "str_channel_management", name: "Channel Management", description: "Manage Airbnb/Booking.com channels", defaultOn: true },
      { key: "str_revenue_analytics", name: "Revenue Analytics", description: "Advanced revenue analytics and forecasting", defaultOn: true },
      { key: "str_booking_import", name: "Booking Import", description: "Import bookings from STR platforms", defaultOn: true },
      { key: "str_invoice_generation", name: "STR Invoice Generation", description: "Generate invoices for STR bookings", defaultOn: true },
      { key: "str_future_revenue_summaries", name: "Future Revenue Summaries", description: "Calculate future revenue projections", defaultOn: true },
      { key: "str_event_based_pricing", name: "Event-Based Pricing", description: "Pricing uplifts for events", defaultOn: false, isBeta: true, dependsOn: ["str_pricing_optimizer"] },
    ],
  },
  {
    key: "TENADMIN",
    name: "Tenant administration",
    description: "Users, credentials, storage and settings of a tenant.",
    features: [
      { key: "tenadmin_user_management", name: "User Management", description: "Create and manage tenant users", defaultOn: true },
      { key: "tenadmin_credentials_management", name: "Credentials Management", description: "Manage Google Drive credentials", defaultOn: true },
      { key: "tenadmin_storage_configuration", name: "Storage Configuration", description: "Configure Google Drive folders", defaultOn: true },
      { key: "tenadmin_tenant_details", name: "Tenant Details", description: "View and edit tenant information", defaultOn: true },
      { key: "tenadmin_feature_toggles", name: "Feature Toggle Management", description: "Manage feature toggles (this feature)", defaultOn: false },
      { key: "tenadmin_audit_logs", name: "Audit Logs", description: "View tenant activity audit logs", defaultOn: false },
    ],
  },
];

export const PRODUCERS = [
  "Arizona Comedy", "Desert Laughs", "Phoenix Improv Collective", "Tucson Theatre Works", "Sedona Sound Series",
  "Mesa Music Hall", "Flagstaff Folk Nights", "Scottsdale Stand-Up", "Tempe Jazz Society", "Chandler Cabaret",
  "Gilbert Gospel Choir", "Glendale Magic Show", "Yuma Youth Orchestra", "Prescott Poetry Slam", "Bisbee Blues Fest",
  "Sonoran Symphony", "Saguaro Dance Company", "Red Rock Rhythms", "Canyon Comedy Club", "Mojave Mariachi",
  "Copper State Opera", "Grand Canyon Guitars", "Painted Desert Players", "Salt River Soul", "Cactus Cabaret",
  "Sunset Strings", "Monsoon Metal Nights", "Route 66 Revue", "Mesquite Murder Mystery", "Tombstone Troupe",
  "Verde Valley Vaudeville", "Lake Havasu Live", "Kingman Karaoke Kings", "Winslow Words", "Payson Puppet Theatre",
  "Globe Gospel Gathering", "Nogales Noche Latina", "Casa Grande Circus", "Show Low Showcase", "Page Piano Bar",
  "Sierra Vista Swing", "Maricopa Musicals", "Apache Junction Jam", "Fountain Hills Film Nights", "Cave Creek Country",
  "Litchfield Late Show", "Surprise Sketch Comedy", "Goodyear Gala Events", "Avondale Art Rock", "Buckeye Burlesque",
  "Peoria Pop Choir", "Queen Creek Quartet",
];

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
