import { CompoundEntityRef } from '@backstage/catalog-model';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  EntityState,
  promotionTargetRef,
  slipwayPromotionCreatePermission,
  slipwayPromotionOverridePermission,
} from '@slipway/plugin-slipway-common';
import { useState } from 'react';
import { PromoteDialog } from '../Promotion/PromoteDialog';
import { RollbackDialog } from '../Promotion/RollbackDialog';

/**
 * "Promote here" and "Roll back" for one environment. Both need
 * `slipway.promotion.create` on (entity, environment); without it they are
 * disabled with the reason. Break-glass is offered in the dialog only with
 * `slipway.promotion.override`.
 */
export function EnvironmentActions(props: {
  entity: CompoundEntityRef;
  entityRef: string;
  environment: string;
  upstream?: string;
  state: EntityState;
  currentDigest?: string;
}) {
  const { entity, entityRef, environment, upstream, state, currentDigest } =
    props;
  const resourceRef = promotionTargetRef(entityRef, environment);
  const create = usePermission({
    permission: slipwayPromotionCreatePermission,
    resourceRef,
  });
  const override = usePermission({
    permission: slipwayPromotionOverridePermission,
    resourceRef,
  });
  const [open, setOpen] = useState<'promote' | 'rollback' | undefined>();
  const denied = !create.loading && !create.allowed;
  const reasonId = `slipway-env-${environment}-actions-reason`;
  return (
    <Box mt={1}>
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
        <Button
          size="small"
          variant="contained"
          color="primary"
          disabled={!create.allowed}
          aria-describedby={denied ? reasonId : undefined}
          onClick={() => setOpen('promote')}
        >
          Promote here
        </Button>
        <Button
          size="small"
          variant="outlined"
          disabled={!create.allowed}
          aria-describedby={denied ? reasonId : undefined}
          onClick={() => setOpen('rollback')}
        >
          Roll back
        </Button>
      </Box>
      {denied && (
        <Typography
          id={reasonId}
          variant="caption"
          color="textSecondary"
          component="p"
        >
          {create.error
            ? `Could not check your permissions (${create.error.message}).`
            : `You may not promote or roll back ${entity.name} in ${environment}.`}
        </Typography>
      )}
      {open === 'promote' && (
        <PromoteDialog
          entity={entity}
          environment={environment}
          upstream={upstream}
          state={state}
          canOverride={override.allowed}
          onClose={() => setOpen(undefined)}
        />
      )}
      {open === 'rollback' && (
        <RollbackDialog
          entity={entity}
          environment={environment}
          currentDigest={currentDigest}
          onClose={() => setOpen(undefined)}
        />
      )}
    </Box>
  );
}
