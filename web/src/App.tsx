import { lazy, Suspense, type ComponentType } from 'react';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import LocalHospitalIcon from '@mui/icons-material/LocalHospital';
import MedicalServicesIcon from '@mui/icons-material/MedicalServices';
import CategoryIcon from '@mui/icons-material/Category';
import ArticleIcon from '@mui/icons-material/Article';
import InventoryIcon from '@mui/icons-material/Inventory';
import StorefrontIcon from '@mui/icons-material/Storefront';
import ReceiptLongIcon from '@mui/icons-material/ReceiptLong';
import HistoryIcon from '@mui/icons-material/History';
import EventIcon from '@mui/icons-material/Event';
import { authProvider } from './authProvider';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n';
import * as c from './resources/catalogue';
import { OrderList, OrderShow } from './resources/orders';
import { AuditList } from './resources/audit';

import { AppCreate, AppEdit, AppList, AppShow } from './resources/apps';
import { StaffCreate, StaffEdit, StaffList } from './resources/staff';
import KeyIcon from '@mui/icons-material/Key';
import BadgeIcon from '@mui/icons-material/Badge';
import { Layout } from './Layout';

// The heavy pages (charts, the calendar, the import) load when first opened, so the sign-in
// form does not wait for them (bench/back-office.ts measures the first load).
const later = <T extends Record<string, unknown>>(load: () => Promise<T>, name: keyof T) => {
  const Page = lazy(async () => ({ default: (await load())[name] as ComponentType }));
  return () => (
    <Suspense fallback={null}>
      <Page />
    </Suspense>
  );
};
const Dashboard = later(() => import('./Dashboard'), 'Dashboard');
const SchedulePage = later(() => import('./resources/schedule'), 'SchedulePage');
const ImportPage = later(() => import('./resources/import'), 'ImportPage');

export function App() {
  return (
    <Admin
      title="Cexup · Back office"
      dashboard={Dashboard}
      authProvider={authProvider}
      dataProvider={dataProvider}
      i18nProvider={i18nProvider}
      requireAuth
      disableTelemetry
      layout={Layout}
    >
      {(role: string) => (
        <>
          <Resource name="orders" list={OrderList} show={OrderShow} icon={ReceiptLongIcon} />
          <Resource
            name="doctors"
            list={c.DoctorList}
            create={c.DoctorCreate}
            edit={c.DoctorEdit}
            icon={MedicalServicesIcon}
          />
          <Resource
            name="practices"
            list={c.PracticeList}
            create={c.PracticeCreate}
            edit={c.PracticeEdit}
            icon={EventIcon}
          />
          <Resource
            name="hospitals"
            list={c.HospitalList}
            create={c.HospitalCreate}
            edit={c.HospitalEdit}
            icon={LocalHospitalIcon}
          />
          <Resource
            name="specialities"
            list={c.SpecialityList}
            create={c.SpecialityCreate}
            edit={c.SpecialityEdit}
            icon={CategoryIcon}
          />
          <Resource
            name="articles"
            list={c.ArticleList}
            create={c.ArticleCreate}
            edit={c.ArticleEdit}
            icon={ArticleIcon}
          />
          <Resource
            name="product-categories"
            list={c.CategoryList}
            create={c.CategoryCreate}
            edit={c.CategoryEdit}
            icon={StorefrontIcon}
          />
          <Resource
            name="products"
            list={c.ProductList}
            create={c.ProductCreate}
            edit={c.ProductEdit}
            icon={InventoryIcon}
          />
          {role === 'operator' && (
            <>
              <Resource name="apps" list={AppList} create={AppCreate} edit={AppEdit} show={AppShow} icon={KeyIcon} />
              <Resource name="staff" list={StaffList} create={StaffCreate} edit={StaffEdit} icon={BadgeIcon} />
              <Resource name="audit-log" list={AuditList} icon={HistoryIcon} />
            </>
          )}
          <CustomRoutes>
            <Route path="/practices/:id/schedule" element={<SchedulePage />} />
            <Route path="/import" element={<ImportPage />} />
          </CustomRoutes>
        </>
      )}
    </Admin>
  );
}
