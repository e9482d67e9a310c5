import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';

/** The signed-in user and the groups they belong to (identity API). */
export function useCurrentUser(): {
  loading: boolean;
  userEntityRef?: string;
  ownershipEntityRefs: string[];
  error?: Error;
} {
  const identityApi = useApi(identityApiRef);
  const { loading, value, error } = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );
  return {
    loading,
    userEntityRef: value?.userEntityRef,
    ownershipEntityRefs: value?.ownershipEntityRefs ?? [],
    error,
  };
}
