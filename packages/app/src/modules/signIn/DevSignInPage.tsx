import {
  InfoCard,
  ProxiedSignInPage,
  SignInPage,
} from '@backstage/core-components';
import {
  discoveryApiRef,
  IdentityApi,
  SignInPageProps,
  useApi,
} from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { FormEvent, useEffect, useState } from 'react';

/** The backend's development-only provider (packages/backend/src/modules/devUsersAuth.ts). */
const DEV_USERS_PROVIDER = 'devUsers';
/** The header that names the user to sign in as. */
export const DEV_USER_HEADER = 'x-slipway-dev-user';
/** Where the chosen user is kept, so a reload signs in again as them. */
export const DEV_USER_STORAGE_KEY = 'slipway:dev-sign-in:user';
/** Where Backstage's sign-in page keeps its chosen provider (guest). */
const BACKSTAGE_PROVIDER_STORAGE_KEY = '@backstage/core:SignInPage:provider';

interface DevUserOption {
  entityRef: string;
  displayName: string;
}

/** Stable across renders: Backstage's sign-in page restarts its automatic sign-in when its providers change. */
const GUEST_PROVIDERS: ['guest'] = ['guest'];

/**
 * The users the backend offers: `undefined` while asking, `[]` when the
 * development sign-in is not installed (any production configuration: the
 * route is a 404) or the question failed.
 * Runs before anyone is signed in, so there is no token to send: the plain
 * `fetch` is deliberate (the app's fetchApi would wait for an identity).
 */
function useDevUsers(): DevUserOption[] | undefined {
  const discoveryApi = useApi(discoveryApiRef);
  const [users, setUsers] = useState<DevUserOption[] | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const baseUrl = await discoveryApi.getBaseUrl('auth');
      const response = await fetch(`${baseUrl}/${DEV_USERS_PROVIDER}/users`);
      const body = response.ok
        ? ((await response.json()) as { items?: DevUserOption[] })
        : {};
      if (!cancelled) setUsers(body.items ?? []);
    })().catch(() => {
      if (!cancelled) setUsers([]);
    });
    return () => {
      cancelled = true;
    };
  }, [discoveryApi]);
  return users;
}

function DevUserPicker(props: {
  users: DevUserOption[];
  onChoose(entityRef: string): void;
}) {
  const { users, onChoose } = props;
  const [selected, setSelected] = useState(users[0].entityRef);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChoose(selected);
  };
  return (
    <InfoCard title="Example user (development only)">
      <form onSubmit={submit} aria-label="Sign in as an example user">
        <Typography variant="body2" paragraph>
          Sign in as any User entity of the example catalog, with its groups
          (for example alice of platform-admins, to approve or edit policies).
          The production configuration does not offer this.
        </Typography>
        <TextField
          select
          id="dev-sign-in-user"
          label="User"
          value={selected}
          onChange={event => setSelected(event.target.value)}
          SelectProps={{ native: true }}
          variant="outlined"
          size="small"
          style={{ minWidth: 280, marginRight: 16 }}
        >
          {users.map(user => (
            <option key={user.entityRef} value={user.entityRef}>
              {user.displayName} ({user.entityRef})
            </option>
          ))}
        </TextField>
        <Button type="submit" color="primary" variant="contained">
          Sign in
        </Button>
      </form>
    </InfoCard>
  );
}

/** Forgets the chosen user on sign-out, so the sign-in page shows again. */
function forgettingOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      localStorage.removeItem(DEV_USER_STORAGE_KEY);
      await identity.signOut();
    },
  };
}

/**
 * The development portal's sign-in page: Backstage's guest sign-in, plus,
 * when the backend offers it (`auth.providers.devUsers` in app-config.yaml
 * only), a sign-in as any example user through the proxy provider
 * `devUsers` with the chosen user in a header.
 */
export function DevSignInPage(props: SignInPageProps) {
  const { onSignInSuccess } = props;
  const users = useDevUsers();
  const [chosen, setChosen] = useState<string | undefined>(
    () => localStorage.getItem(DEV_USER_STORAGE_KEY) ?? undefined,
  );

  if (chosen) {
    return (
      <ProxiedSignInPage
        provider={DEV_USERS_PROVIDER}
        headers={{ [DEV_USER_HEADER]: chosen }}
        onSignInSuccess={identity =>
          onSignInSuccess(forgettingOnSignOut(identity))
        }
        ErrorComponent={({ error }) => (
          <InfoCard title={`Could not sign in as ${chosen}`}>
            <Typography role="alert" paragraph>
              {error?.message ?? 'Sign-in failed'}
            </Typography>
            <Button
              variant="outlined"
              onClick={() => {
                localStorage.removeItem(DEV_USER_STORAGE_KEY);
                setChosen(undefined);
              }}
            >
              Back to sign-in
            </Button>
          </InfoCard>
        )}
      />
    );
  }

  // Mount Backstage's page once, with its final props: a re-render with a
  // new title restarted its automatic guest sign-in, and the cancelled first
  // attempt forgot the stored provider (the next reload showed the sign-in
  // page although the session was valid).
  if (users === undefined) return null;

  return (
    <SignInPage
      {...props}
      providers={GUEST_PROVIDERS}
      titleComponent={
        users.length > 0 ? (
          <DevUserPicker
            users={users}
            onChoose={entityRef => {
              localStorage.setItem(DEV_USER_STORAGE_KEY, entityRef);
              localStorage.removeItem(BACKSTAGE_PROVIDER_STORAGE_KEY);
              setChosen(entityRef);
            }}
          />
        ) : undefined
      }
    />
  );
}
