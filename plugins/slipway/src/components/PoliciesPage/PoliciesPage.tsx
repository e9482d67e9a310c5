import { Content, Header, Page } from '@backstage/core-components';
import { Route, Routes, useNavigate, useSearchParams } from 'react-router-dom';
import { PoliciesList } from './PoliciesList';
import { CreatePolicy, EditPolicy, PolicyDetails } from './PolicyDetails';

function PolicyListOrCreate() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  if (params.get('create') === 'true') {
    return (
      <CreatePolicy
        onDone={name => navigate(name ? `${name}` : '.', { replace: !name })}
      />
    );
  }
  return <PoliciesList />;
}

/** The admin pages' routes: the list (`?create=true`), one policy, its editor. */
export function PoliciesRoutes() {
  return (
    <Routes>
      <Route path="/" element={<PolicyListOrCreate />} />
      <Route path="/:name" element={<PolicyDetails />} />
      <Route path="/:name/edit" element={<EditPolicy />} />
    </Routes>
  );
}

/**
 * Promotion policies (`/slipway/policies`) with their own header, for the
 * legacy frontend system.
 *
 * @public
 */
export function PoliciesPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Promotion policies"
        subtitle="Gates in front of each environment"
      />
      <Content>
        <PoliciesRoutes />
      </Content>
    </Page>
  );
}

/**
 * The policies pages' content for the new frontend system's page layout,
 * which renders the header but no `main` landmark.
 */
export function PoliciesPageContent() {
  return (
    <main>
      <Content>
        <PoliciesRoutes />
      </Content>
    </main>
  );
}
