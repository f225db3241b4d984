// The default theme with two rules of our own (custom.css).
import DefaultTheme from 'vitepress/theme'
import './custom.css'

export default DefaultTheme
