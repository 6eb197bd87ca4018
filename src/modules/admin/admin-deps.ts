import type { AccountsService } from '../accounts/accounts.service.js';
import type { AppsService } from '../apps/apps.service.js';
import type { BookingService } from '../booking/booking.service.js';
import type { CatalogueService } from '../catalogue/catalogue.service.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import type { ShopService } from '../shop/shop.service.js';
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
