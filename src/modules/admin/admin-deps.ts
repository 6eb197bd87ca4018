import type { AccountsService } from '../accounts/index.js';
import type { AppsService } from '../apps/index.js';
import type { BookingService } from '../booking/index.js';
import type { CatalogueService } from '../catalogue/index.js';
import type { PrivacyService } from '../privacy/index.js';
import type { ShopService } from '../shop/index.js';
import type { AdminService } from './admin.service.js';

/** The services the back office's routes use, passed in by app.ts (which the module never imports). */
export interface AdminDeps {
  admin: AdminService;
  accounts: AccountsService;
  apps: AppsService;
  booking: BookingService;
  catalogue: CatalogueService;
  shop: ShopService;
  privacy: PrivacyService;
}
