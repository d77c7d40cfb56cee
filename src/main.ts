/** Page entry: defines the elements; index.html already holds <l2wd-app>. */
import './ui/l2wd-app';
