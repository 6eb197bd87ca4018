import {
  ArrayField,
  BooleanInput,
  Create,
  Datagrid,
  DeleteButton,
  Edit,
  EditButton,
  List,
  NumberField,
  NumberInput,
  ReferenceField,
  ReferenceInput,
  required,
  SelectInput,
  SimpleForm,
  TextField,
  TextInput,
  TopToolbar,
  useTranslate,
  AutocompleteInput,
  Datagrid as InnerGrid,
  FunctionField,
  Link,
  type RaRecord,
} from 'react-admin';
import { lazy, Suspense } from 'react';

// The editor (TipTap) loads with the first article form, not with the app.
const LazyRichTextInput = lazy(async () => ({ default: (await import('../RichTextInput')).RichTextInput }));
const RichTextInput = (props: { source: string; validate?: ReturnType<typeof required> }) => (
  <Suspense fallback={null}>
    <LazyRichTextInput {...props} />
  </Suspense>
);
import { rupiah } from '../format';
import { catalogueFilters, PictureInput, PublishButton, PublishedField } from './common';

const TIMEZONES = [
  { id: 'Asia/Jakarta', name: 'Asia/Jakarta (WIB)' },
  { id: 'Asia/Pontianak', name: 'Asia/Pontianak (WIB)' },
  { id: 'Asia/Makassar', name: 'Asia/Makassar (WITA)' },
  { id: 'Asia/Jayapura', name: 'Asia/Jayapura (WIT)' },
];

// Edits wait for the API (pessimistic): a refused change stays in the form, with the API's
// message under the field, instead of being shown as saved and then undone.
const EDIT = { mutationMode: 'pessimistic' as const, redirect: 'list' as const };

const EditActions = () => (
  <TopToolbar>
    <PublishButton />
  </TopToolbar>
);

function CatalogueList({
  children,
  extraFilters = [],
}: {
  children: React.ReactNode;
  extraFilters?: React.ReactElement[];
}) {
  const translate = useTranslate();
  return (
    <List filters={[...catalogueFilters(translate), ...extraFilters]} sort={{ field: 'id', order: 'ASC' }}>
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        {children}
        <PublishedField />
        <PublishButton />
        <EditButton />
        <DeleteButton mutationMode="pessimistic" />
      </Datagrid>
    </List>
  );
}

// Specialities.
export const SpecialityList = () => (
  <CatalogueList>
    <TextField source="name" />
    <TextField source="slug" />
  </CatalogueList>
);
const SpecialityFields = () => (
  <>
    <TextInput source="name" validate={required()} />
    <TextInput source="slug" validate={required()} />
    <TextInput source="description" multiline fullWidth />
  </>
);
export const SpecialityCreate = () => (
  <Create redirect="list">
    <SimpleForm>
      <SpecialityFields />
    </SimpleForm>
  </Create>
);
export const SpecialityEdit = () => (
  <Edit {...EDIT} actions={<EditActions />}>
    <SimpleForm>
      <SpecialityFields />
    </SimpleForm>
  </Edit>
);

// Hospitals.
export const HospitalList = () => (
  <CatalogueList>
    <TextField source="name" />
    <TextField source="city" />
    <TextField source="timezone" />
  </CatalogueList>
);
const HospitalFields = () => (
  <>
    <TextInput source="name" validate={required()} />
    <TextInput source="slug" validate={required()} />
    <TextInput source="city" validate={required()} />
    <TextInput source="province" />
    <SelectInput source="timezone" choices={TIMEZONES} validate={required()} defaultValue="Asia/Jakarta" />
    <TextInput source="address" fullWidth />
    <TextInput source="phone" />
    <TextInput source="description" multiline fullWidth />
    {/* Whether its doctors mark their own leave in the doctor workspace (docs/doctor-workspace.md). */}
    <BooleanInput source="doctor_leave_allowed" defaultValue={false} />
  </>
);
export const HospitalCreate = () => (
  <Create redirect="list">
    <SimpleForm>
      <HospitalFields />
    </SimpleForm>
  </Create>
);
export const HospitalEdit = () => (
  <Edit {...EDIT} actions={<EditActions />}>
    <SimpleForm>
      <HospitalFields />
      <PictureInput />
    </SimpleForm>
  </Edit>
);

// Doctors, with their practices (a doctor at a hospital, its prices, its schedule).
export const DoctorList = () => (
  <CatalogueList
    extraFilters={[
      <ReferenceInput source="speciality" reference="specialities" key="speciality">
        <AutocompleteInput optionText="name" />
      </ReferenceInput>,
    ]}
  >
    <TextField source="name" />
    <ReferenceField source="speciality" reference="specialities" link={false}>
      <TextField source="name" />
    </ReferenceField>
    <FunctionField source="practices" render={(r: RaRecord) => (r.practices as unknown[]).length} />
  </CatalogueList>
);
const DoctorFields = () => (
  <>
    <TextInput source="name" validate={required()} />
    <TextInput source="slug" validate={required()} />
    <TextInput source="username" />
    <ReferenceInput source="speciality" reference="specialities">
      <AutocompleteInput optionText="name" validate={required()} />
    </ReferenceInput>
    <NumberInput source="experience_years" min={0} max={80} />
    <TextInput source="about" multiline fullWidth />
  </>
);
export const DoctorCreate = () => (
  <Create redirect="edit">
    <SimpleForm>
      <DoctorFields />
    </SimpleForm>
  </Create>
);
const PracticesOfDoctor = () => {
  const translate = useTranslate();
  return (
    <ArrayField source="practices">
      <InnerGrid bulkActionButtons={false} rowClick={false}>
        <TextField source="hospital_name" />
        <FunctionField source="call_price" render={(r: RaRecord) => rupiah(r.call_price)} />
        <FunctionField source="reservasi_price" render={(r: RaRecord) => rupiah(r.reservasi_price)} />
        <FunctionField
          render={(r: RaRecord) => <Link to={`/practices/${r.id}/schedule`}>{translate('app.action.schedule')}</Link>}
        />
        <FunctionField render={(r: RaRecord) => <Link to={`/practices/${r.id}`}>{translate('ra.action.edit')}</Link>} />
      </InnerGrid>
    </ArrayField>
  );
};
export const DoctorEdit = () => (
  <Edit {...EDIT} redirect={false} actions={<EditActions />}>
    <SimpleForm>
      <DoctorFields />
      <PictureInput />
      <PracticesOfDoctor />
    </SimpleForm>
  </Edit>
);

// Practices: a doctor at a hospital, with the prices of each appointment type.
export const PracticeList = () => (
  <List
    filters={[
      <ReferenceInput source="doctor" reference="doctors" key="doctor" alwaysOn>
        <AutocompleteInput optionText="name" />
      </ReferenceInput>,
      <ReferenceInput source="hospital" reference="hospitals" key="hospital" alwaysOn>
        <AutocompleteInput optionText="name" />
      </ReferenceInput>,
    ]}
  >
    <Datagrid rowClick="edit" bulkActionButtons={false}>
      <NumberField source="id" />
      <ReferenceField source="doctor" reference="doctors" link="edit">
        <TextField source="name" />
      </ReferenceField>
      <TextField source="hospital_name" />
      <FunctionField source="call_price" render={(r: RaRecord) => rupiah(r.call_price)} />
      <FunctionField source="reservasi_price" render={(r: RaRecord) => rupiah(r.reservasi_price)} />
      <PublishedField />
      <ScheduleLink />
      <EditButton />
    </Datagrid>
  </List>
);
function ScheduleLink() {
  const translate = useTranslate();
  return (
    <FunctionField
      render={(r: RaRecord) => (
        <Link to={`/practices/${r.id}/schedule`} onClick={(e: React.MouseEvent) => e.stopPropagation()}>
          {translate('app.action.schedule')}
        </Link>
      )}
    />
  );
}
export const PracticeCreate = () => (
  <Create redirect={(_resource, id) => `practices/${id}/schedule`}>
    <SimpleForm>
      <ReferenceInput source="doctor" reference="doctors">
        <AutocompleteInput optionText="name" validate={required()} />
      </ReferenceInput>
      <ReferenceInput source="hospital" reference="hospitals">
        <AutocompleteInput optionText="name" validate={required()} />
      </ReferenceInput>
      <NumberInput source="call_price" min={0} />
      <NumberInput source="reservasi_price" min={0} />
    </SimpleForm>
  </Create>
);
export const PracticeEdit = () => (
  <Edit {...EDIT} actions={<EditActions />}>
    <SimpleForm>
      <TextInput source="doctor" disabled />
      <TextInput source="hospital_name" disabled />
      <NumberInput source="call_price" min={0} />
      <NumberInput source="reservasi_price" min={0} />
    </SimpleForm>
  </Edit>
);

// Articles: rich text; the server sanitises what it stores.
export const ArticleList = () => (
  <CatalogueList>
    <TextField source="title" />
    <TextField source="slug" />
  </CatalogueList>
);
const ArticleFields = () => (
  <>
    <TextInput source="title" validate={required()} fullWidth />
    <TextInput source="slug" validate={required()} />
    <TextInput source="excerpt" multiline fullWidth />
    <RichTextInput source="body" validate={required()} />
  </>
);
export const ArticleCreate = () => (
  <Create redirect="list">
    <SimpleForm>
      <ArticleFields />
    </SimpleForm>
  </Create>
);
export const ArticleEdit = () => (
  <Edit {...EDIT} actions={<EditActions />}>
    <SimpleForm>
      <ArticleFields />
      <PictureInput />
    </SimpleForm>
  </Edit>
);

// The shop.
export const CategoryList = () => (
  <CatalogueList>
    <TextField source="name" />
    <TextField source="slug" />
  </CatalogueList>
);
const CategoryFields = () => (
  <>
    <TextInput source="name" validate={required()} />
    <TextInput source="slug" validate={required()} />
  </>
);
export const CategoryCreate = () => (
  <Create redirect="list">
    <SimpleForm>
      <CategoryFields />
    </SimpleForm>
  </Create>
);
export const CategoryEdit = () => (
  <Edit {...EDIT} actions={<EditActions />}>
    <SimpleForm>
      <CategoryFields />
    </SimpleForm>
  </Edit>
);

export const ProductList = () => (
  <CatalogueList
    extraFilters={[
      <ReferenceInput source="category" reference="product-categories" key="category">
        <AutocompleteInput optionText="name" />
      </ReferenceInput>,
    ]}
  >
    <TextField source="name" />
    <FunctionField source="price" render={(r: RaRecord) => rupiah(r.price)} />
    <NumberField source="stock" />
  </CatalogueList>
);
const ProductFields = () => (
  <>
    <TextInput source="name" validate={required()} />
    <TextInput source="slug" validate={required()} />
    <ReferenceInput source="category" reference="product-categories">
      <AutocompleteInput optionText="name" validate={required()} />
    </ReferenceInput>
    <NumberInput source="price" min={0} validate={required()} />
    <NumberInput source="stock" min={0} />
    <TextInput source="description" multiline fullWidth />
  </>
);
export const ProductCreate = () => (
  <Create redirect="list">
    <SimpleForm>
      <ProductFields />
    </SimpleForm>
  </Create>
);
export const ProductEdit = () => (
  <Edit {...EDIT} actions={<EditActions />}>
    <SimpleForm>
      <ProductFields />
      <PictureInput />
    </SimpleForm>
  </Edit>
);
