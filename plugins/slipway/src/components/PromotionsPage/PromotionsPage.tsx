import { Content, Header, Page } from '@backstage/core-components';
import { Route, Routes } from 'react-router-dom';
import { PromotionDetails } from './PromotionDetails';
import { PromotionsList } from './PromotionsList';

function PromotionRoutes() {
  return (
    <Routes>
      <Route path="/" element={<PromotionsList />} />
      <Route path="/:id" element={<PromotionDetails />} />
    </Routes>
  );
}

/**
 * The promotions pages (`/slipway/promotions` and `/slipway/promotions/:id`)
 * with their own header, for the legacy frontend system.
 *
 * @public
 */
export function PromotionsPage() {
  return (
    <Page themeId="tool">
      <Header title="Promotions" subtitle="Promotions and rollbacks, live" />
      <Content>
        <PromotionRoutes />
      </Content>
    </Page>
  );
}

/**
 * The promotions pages' content for the new frontend system's page layout,
 * which renders the header but no `main` landmark.
 */
export function PromotionsPageContent() {
  return (
    <main>
      <Content>
        <PromotionRoutes />
      </Content>
    </main>
  );
}
