// The default theme, our CSS (custom.css), and the interactive labs: Vue
// components that import the library from src/ and run it in the page.
import DefaultTheme from 'vitepress/theme'
import type { Theme } from 'vitepress'
import ActivationLab from './labs/ActivationLab.vue'
import TrainingLab from './labs/TrainingLab.vue'
import './custom.css'

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('ActivationLab', ActivationLab)
    app.component('TrainingLab', TrainingLab)
  },
} satisfies Theme
