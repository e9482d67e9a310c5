import { Content, Header, Page } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import { FreezeBanner } from '../common/FreezeBanner';
import { FleetContent } from './FleetContent';

/**
 * The fleet page with its own header, for the legacy frontend system (the
 * new frontend system's page layout supplies the header itself).
 *
 * @public
 */
export function FleetPage() {
  return (
    <Page themeId="tool">
      <Header title="Deploy fleet" subtitle="Services by environment" />
      <Content>
        <Box mb={2}>
          <FreezeBanner />
        </Box>
        <FleetContent />
      </Content>
    </Page>
  );
}

/**
 * The fleet page's content with page padding, for the new frontend
 * system's page layout. That layout renders the "Deploy fleet" header but
 * no `main` landmark, so the content provides it.
 */
export function FleetPageContent() {
  return (
    <main>
      <Content>
        <Box mb={2}>
          <FreezeBanner />
        </Box>
        <FleetContent />
      </Content>
    </main>
  );
}
