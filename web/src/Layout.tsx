import type { ReactNode } from 'react';
import { Layout as RaLayout, Menu, usePermissions, useTranslate } from 'react-admin';
import UploadFileIcon from '@mui/icons-material/UploadFile';

/** react-admin's menu, plus the catalogue import for operators. */
function AppMenu() {
  const { permissions } = usePermissions();
  const translate = useTranslate();
  return (
    <Menu>
      <Menu.DashboardItem />
      <Menu.ResourceItems />
      {permissions === 'operator' && (
        <Menu.Item to="/import" primaryText={translate('app.import.title')} leftIcon={<UploadFileIcon />} />
      )}
    </Menu>
  );
}

export const Layout = ({ children }: { children: ReactNode }) => <RaLayout menu={AppMenu}>{children}</RaLayout>;
