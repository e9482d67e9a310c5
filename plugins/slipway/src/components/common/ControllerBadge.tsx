import Chip from '@material-ui/core/Chip';
import { LiveState } from '@slipway/plugin-slipway-common';

/** The name of a GitOps controller as people know it; absent: Argo CD. */
export function controllerName(controller?: LiveState['controller']): string {
  return controller === 'flux' ? 'Flux' : 'Argo CD';
}

/** Which GitOps controller deploys this: "Argo CD" or "Flux". */
export function ControllerBadge(props: {
  controller?: LiveState['controller'];
}) {
  const name = controllerName(props.controller);
  return (
    <Chip
      size="small"
      variant="outlined"
      label={name}
      title={`Deployed by ${name}`}
      data-testid="controller-badge"
    />
  );
}
