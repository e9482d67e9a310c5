import { Content, Header, Page } from '@backstage/core-components';
import { FreezesContent } from './FreezesContent';

/**
 * Freezes and "stop the line" (`/slipway/freezes`) with their own header,
 * for the legacy frontend system.
 *
 * @public
 */
export function FreezesPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Freezes"
        subtitle="Hold promotions: stop the line, an environment, a system, an owner or a service"
      />
      <Content>
        <FreezesContent />
      </Content>
    </Page>
  );
}

/**
 * The freezes page's content for the new frontend system's page layout,
 * which renders the header but no `main` landmark.
 */
export function FreezesPageContent() {
  return (
    <main>
      <Content>
        <FreezesContent />
      </Content>
    </main>
  );
}
