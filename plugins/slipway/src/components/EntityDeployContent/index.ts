export { EntityDeployContent } from './EntityDeployContent';
export { isSlipwayAvailable } from './isSlipwayAvailable';
