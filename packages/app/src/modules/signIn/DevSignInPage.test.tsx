import { createApp } from '@backstage/frontend-defaults';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DEV_USER_HEADER, DEV_USER_STORAGE_KEY } from './DevSignInPage';
import { signInModule } from './signInModule';

// A whole app boots in each test; seconds on a loaded 2-core machine.
jest.setTimeout(60_000);

function identityBody(userEntityRef: string) {
  return {
    profile: { displayName: userEntityRef },
    backstageIdentity: {
      token: 'a.eyJzdWIiOiJ4In0.c',
      identity: {
        type: 'user',
        userEntityRef,
        ownershipEntityRefs: [userEntityRef],
      },
    },
  };
}

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

const notFound = () =>
  json({ error: { name: 'NotFoundError', message: 'not found' } }, 404);

function urlOf(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/** The app with only the sign-in module, as the portal wires it. */
function renderApp() {
  process.env = {
    ...process.env,
    NODE_ENV: 'test',
    APP_CONFIG: [
      {
        data: {
          app: { title: 'Slipway' },
          backend: { baseUrl: 'http://localhost:7007' },
        },
        context: 'test',
      },
    ] as any,
  };
  const app = createApp({ features: [signInModule] });
  return render(app.createRoot());
}

let fetchMock: jest.Mock;
const refreshes: string[] = [];

beforeEach(() => {
  localStorage.clear();
  refreshes.length = 0;
  fetchMock = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = urlOf(input);
    if (url.endsWith('/api/auth/devUsers/users')) {
      return json({
        items: [
          { entityRef: 'user:default/alice', displayName: 'Alice Admin' },
          { entityRef: 'user:default/bob', displayName: 'Bob Builder' },
        ],
      });
    }
    if (url.endsWith('/api/auth/devUsers/refresh')) {
      const user = new Headers(init?.headers).get(DEV_USER_HEADER) ?? '';
      refreshes.push(user);
      return user === 'user:default/gone'
        ? notFound()
        : json(identityBody(user));
    }
    return notFound();
  });
  global.fetch = fetchMock as unknown as typeof fetch;
});

describe('development sign-in page', () => {
  it('signs in as the chosen example user and remembers the choice', async () => {
    renderApp();
    expect(
      await screen.findByRole('button', { name: 'Enter' }),
    ).toBeInTheDocument();
    await userEvent.selectOptions(
      await screen.findByLabelText('User'),
      'user:default/bob',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(refreshes).toEqual(['user:default/bob']));
    expect(localStorage.getItem(DEV_USER_STORAGE_KEY)).toBe('user:default/bob');
    await waitFor(() =>
      expect(screen.queryByLabelText('User')).not.toBeInTheDocument(),
    );
  });

  it('offers only the guest sign-in when the backend has no devUsers provider', async () => {
    fetchMock.mockImplementation(async () => notFound());
    renderApp();
    expect(
      await screen.findByRole('button', { name: 'Enter' }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(
        fetchMock.mock.calls.some(([input]) =>
          urlOf(input).endsWith('/devUsers/users'),
        ),
      ).toBe(true),
    );
    expect(screen.queryByLabelText('User')).not.toBeInTheDocument();
  });

  it('offers a way back when the remembered user can no longer sign in', async () => {
    localStorage.setItem(DEV_USER_STORAGE_KEY, 'user:default/gone');
    renderApp();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Back to sign-in' }),
    );
    expect(localStorage.getItem(DEV_USER_STORAGE_KEY)).toBeNull();
    expect(await screen.findByLabelText('User')).toBeInTheDocument();
  });
});
