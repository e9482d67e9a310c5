import { CompoundEntityRef } from '@backstage/catalog-model';
import Button from '@material-ui/core/Button';
import ButtonGroup from '@material-ui/core/ButtonGroup';
import Card from '@material-ui/core/Card';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import { HistoryList } from './HistoryList';

/**
 * The history of one environment, full width under the environment cards,
 * loaded on demand: one row per deploy, newest first.
 */
export function DeployHistory(props: {
  entity: CompoundEntityRef;
  environments: string[];
  environment: string;
  now: number;
  onSelect: (environment: string) => void;
  onClose: () => void;
}) {
  const { entity, environments, environment, now, onSelect, onClose } = props;
  return (
    <Card
      component="section"
      id="slipway-history"
      aria-labelledby="slipway-history-heading"
    >
      <CardHeader
        title={`History of ${environment}, newest first`}
        titleTypographyProps={{
          component: 'h2',
          variant: 'h6',
          id: 'slipway-history-heading',
        }}
        action={
          <ButtonGroup size="small" aria-label="Environment of the history">
            {environments.map(name => (
              <Button
                key={name}
                aria-pressed={name === environment}
                variant={name === environment ? 'contained' : 'outlined'}
                onClick={() => onSelect(name)}
              >
                {name}
              </Button>
            ))}
            <Button onClick={onClose} aria-label="Close the history">
              Close
            </Button>
          </ButtonGroup>
        }
      />
      <CardContent>
        <HistoryList
          key={environment}
          entity={entity}
          environment={environment}
          now={now}
        />
      </CardContent>
    </Card>
  );
}
