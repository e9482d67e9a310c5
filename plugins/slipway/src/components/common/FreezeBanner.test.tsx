import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { slipwayApiRef } from '../../api/slipwayApiRef';
import { seriousViolations } from '../../__testUtils__/axe';
import { ago, annotatedEntity, NOW } from '../../__testUtils__/fixtures';
import { freeze } from '../../__testUtils__/promotionFixtures';
import { FreezeBanner } from './FreezeBanner';

function render(listFreezes: () => Promise<any>, entity = false) {
  return renderInTestApp(
    <TestApiProvider apis={[[slipwayApiRef, { listFreezes }]]}>
      <FreezeBanner
        entity={entity ? annotatedEntity : undefined}
        environments={['dev', 'staging']}
      />
    </TestApiProvider>,
  );
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('FreezeBanner', () => {
  it('shows nothing while loading and when nothing is frozen', async () => {
    const { container } = await render(() => new Promise(() => {}));
    expect(container).toBeEmptyDOMElement();
    const empty = await render(async () => []);
    expect(empty.container).toBeEmptyDOMElement();
  });

  it('on the fleet page, shows every active freeze, not expired or lifted ones', async () => {
    const { container } = await render(async () => [
      freeze(),
      freeze({ id: 'old', reason: 'Expired', until: ago(60) }),
      freeze({ id: 'lifted', reason: 'Lifted', liftedAt: ago(60) }),
      freeze({
        id: 's',
        scope: 'system',
        target: 'system:default/commerce',
        reason: 'Migration',
        until: undefined,
      }),
    ]);
    const banner = await screen.findByRole('region', {
      name: 'Freezes in force',
    });
    expect(banner).toHaveTextContent('Freezes hold promotions');
    expect(banner).toHaveTextContent('Environment prod: Black Friday');
    expect(banner).toHaveTextContent('System commerce: Migration');
    expect(banner).not.toHaveTextContent('Expired');
    expect(banner).not.toHaveTextContent('Lifted');
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('on a Deploy tab, shows only the freezes that cover the entity', async () => {
    const { container } = await render(
      async () => [freeze({ target: 'prod' })],
      true,
    );
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(container).toBeEmptyDOMElement();
  });

  it('says when freezes cannot be read', async () => {
    await render(async () => {
      throw new Error('Service Unavailable');
    });
    expect(
      await screen.findByText(
        /Could not check for freezes \(Service Unavailable\)/,
      ),
    ).toBeInTheDocument();
  });
});
